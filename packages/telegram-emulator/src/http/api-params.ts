import type { IncomingMessage } from 'node:http';
import { BotApiError, badRequest } from '../errors.js';
import { parseMultipart, type Upload } from './multipart.js';

/** Bots may upload at most 50 MB per request. */
const maxBodyBytes = 50 * 1024 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The parameters of one Bot API call, whichever way they came (query string, JSON, urlencoded or
 * multipart). JSON bodies carry typed values; the other encodings carry strings, which Telegram
 * converts, so every accessor accepts both.
 */
export class ApiParams {
  constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly uploads: ReadonlyMap<string, Upload> = new Map(),
  ) {}

  has(name: string): boolean {
    return this.fields[name] !== undefined || this.uploads.has(name);
  }

  string(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  integer(name: string): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      throw badRequest(`field "${name}" must be of type Integer`);
    }
    return number;
  }

  boolean(name: string): boolean {
    const value = this.fields[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  /** A JSON-serialized parameter (or an already decoded JSON value); `unparsable` names Telegram's error. */
  json(name: string, unparsable: string): unknown {
    const value = this.fields[name];
    if (typeof value !== 'string') return value ?? undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw badRequest(unparsable);
    }
  }

  /** A file sent in the multipart part called `name` (`attach://name` refers to it too). */
  upload(name: string): Upload | undefined {
    return this.uploads.get(name);
  }

  /** What the call log shows: every field, with uploads reduced to their name and size. */
  summary(): Record<string, unknown> {
    const summary: Record<string, unknown> = { ...this.fields };
    for (const [name, upload] of this.uploads) {
      summary[name] = `<upload ${upload.fileName ?? name}, ${upload.bytes.length} bytes>`;
    }
    return summary;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) throw new BotApiError(413, 'Request Entity Too Large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(contentType: string, body: Buffer): { fields: Record<string, unknown>; uploads: Map<string, Upload> } {
  const uploads = new Map<string, Upload>();
  if (body.length === 0) return { fields: {}, uploads };
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON encoded request parameters");
    }
    if (!isRecord(parsed)) throw badRequest("can't parse JSON encoded request parameters");
    return { fields: parsed, uploads };
  }
  if (mediaType === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    const value = boundary?.[1] ?? boundary?.[2];
    if (value === undefined) throw badRequest("can't parse multipart/form-data request: no boundary");
    return parseMultipart(body, value.trim());
  }
  return { fields: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), uploads };
}

/** Reads the query string and body of a Bot API request into one set of parameters. */
export async function readApiParams(request: IncomingMessage, url: URL): Promise<ApiParams> {
  const body = parseBody(request.headers['content-type'] ?? '', await readBody(request));
  return new ApiParams({ ...Object.fromEntries(url.searchParams), ...body.fields }, body.uploads);
}
