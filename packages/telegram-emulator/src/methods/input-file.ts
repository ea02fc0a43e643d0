import { basename } from 'node:path';
import type { FileKind, FileStore, StoredFile } from '../files.js';
import { badRequest, reasons } from '../errors.js';
import type { ApiParams } from '../http/api-params.js';
import type { Upload } from '../http/multipart.js';

/** The file a send refers to: new bytes (uploaded or fetched from a URL) or a file Telegram already has. */
export type InputFile =
  | { kind: 'new'; bytes: Uint8Array; fileName: string | undefined }
  | { kind: 'known'; file: StoredFile };

/** Telegram fetches at most 5 MB for photos and 20 MB for other files sent by URL. */
const maxUrlBytes: Record<FileKind, number> = { photo: 5 * 1024 * 1024, document: 20 * 1024 * 1024 };
const urlTimeoutMs = 10_000;

const kindName: Record<FileKind, string> = { photo: 'Photo', document: 'Document' };

async function download(url: string, kind: FileKind): Promise<InputFile> {
  const bytes = await fetch(url, { signal: AbortSignal.timeout(urlTimeoutMs) })
    .then(async (response) => (response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined))
    .catch(() => undefined);
  if (bytes === undefined || bytes.length === 0 || bytes.length > maxUrlBytes[kind]) throw badRequest(reasons.wrongFile);
  return { kind: 'new', bytes, fileName: basename(new URL(url).pathname) || undefined };
}

/**
 * Resolves a file parameter the way Telegram does: a multipart upload (directly in the field, or
 * `attach://<part>`), an http(s) URL that Telegram downloads itself, or a file_id it knows.
 */
export async function resolveInputFile(
  params: ApiParams,
  reference: string | Upload | undefined,
  kind: FileKind,
  files: FileStore,
): Promise<InputFile> {
  if (reference === undefined || reference === '') throw badRequest(`there is no ${kind} in the request`);
  if (typeof reference !== 'string') return { kind: 'new', bytes: reference.bytes, fileName: reference.fileName };
  if (reference.startsWith('attach://')) {
    const upload = params.upload(reference.slice('attach://'.length));
    if (upload === undefined) throw badRequest(reasons.wrongFile);
    return { kind: 'new', bytes: upload.bytes, fileName: upload.fileName };
  }
  if (/^https?:\/\//i.test(reference)) return download(reference, kind);
  const file = files.get(reference.trim());
  if (file === undefined) throw badRequest(reasons.wrongFile);
  if (file.kind !== kind) throw badRequest(`can't use file of type ${kindName[file.kind]} as ${kindName[kind]}`);
  return { kind: 'known', file };
}
