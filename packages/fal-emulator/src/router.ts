import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FalApp } from './apps.js';
import { authenticate } from './auth.js';
import type { Faults, FalRoute } from './faults.js';
import type { FileStore } from './files.js';
import { readBody, sendJson } from './http.js';
import type { Job, JobQueue } from './jobs.js';
import { resultResponse } from './outcomes.js';
import type { PyJson } from './python-json.js';
import type { SigningKeys } from './signing.js';

export interface CallRecord {
  route: FalRoute | null;
  method: string;
  /** Path and query string as requested. */
  path: string;
  /** The status answered, or null while no answer was sent (a hung submit). */
  status: number | null;
}

export interface EmulatorParts {
  baseUrl: string;
  acceptedKeys: ReadonlySet<string>;
  apps: ReadonlyMap<string, FalApp>;
  jobs: JobQueue;
  files: FileStore;
  signing: SigningKeys;
  faults: Faults;
  calls: CallRecord[];
  /** Runs `task` later, unless the emulator is closed first. */
  later(ms: number, task: () => void): void;
}

interface AppPath {
  owner: string;
  alias: string;
}

type Match =
  | { route: 'jwks' | 'storage_initiate' }
  | { route: 'storage_upload'; token: string }
  | { route: 'file'; path: string }
  | ({ route: 'submit'; subPath: string[] } & AppPath)
  | ({ route: 'status' | 'result' | 'cancel'; requestId: string } & AppPath);

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** fal's HTTP surface on one server: the queue (`/queue`), storage (`/rest`, `/storage`), the CDN (`/files`), the JWKS. */
export function createRouter(parts: EmulatorParts): Handler {
  return async (request, response, url) => {
    const method = request.method ?? 'GET';
    const matched = match(method, url.pathname);
    const call: CallRecord = { route: matched?.route ?? null, method, path: url.pathname + url.search, status: null };
    parts.calls.push(call);
    response.on('finish', () => (call.status = response.statusCode));
    if (matched === null) return sendJson(response, 404, { detail: 'Not Found' });
    const failure = parts.faults.takeFailure(matched.route);
    if (failure !== undefined) return sendJson(response, failure, { detail: STATUS_CODES[failure] ?? 'Error' });

    switch (matched.route) {
      case 'jwks':
        return sendJson(response, 200, parts.signing.jwks());
      case 'file':
        return serveFile(parts, response, matched.path);
      case 'storage_upload':
        return completeUpload(parts, request, response, matched.token);
      case 'storage_initiate':
        if (!authorized(parts, request, response)) return;
        return initiateUpload(parts, request, response);
    }
    if (!authorized(parts, request, response)) return;
    const app = parts.apps.get(`${matched.owner}/${matched.alias}`);
    if (app === undefined) return sendJson(response, 404, { detail: `Application "${matched.alias}" not found` });
    if (matched.route === 'submit') return submit(parts, request, response, url, app, matched.subPath);

    const job = parts.jobs.get(matched.requestId);
    if (job === undefined || job.app !== app || job.resultExpired) {
      return sendJson(response, 404, { detail: 'Request not found' });
    }
    switch (matched.route) {
      case 'status':
        return sendJson(response, job.status === 'COMPLETED' ? 200 : 202, statusBody(parts, job, url.searchParams.get('logs') === '1'));
      case 'result':
        return result(response, job);
      case 'cancel': {
        const answer = parts.jobs.cancel(job);
        return sendJson(response, answer === 'ALREADY_COMPLETED' ? 400 : 202, { status: answer });
      }
    }
  };
}

function match(method: string, pathname: string): Match | null {
  if (method === 'GET' && (pathname === '/.well-known/jwks.json' || pathname === '/rest/.well-known/jwks.json')) {
    return { route: 'jwks' };
  }
  if (method === 'POST' && pathname === '/rest/storage/upload/initiate') return { route: 'storage_initiate' };
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const [root, owner, alias, ...rest] = segments;
  if (method === 'PUT' && root === 'storage' && owner === 'upload' && alias !== undefined && rest.length === 0) {
    return { route: 'storage_upload', token: alias };
  }
  if (method === 'GET' && root === 'files') return { route: 'file', path: pathname };
  if (root !== 'queue' || owner === undefined || alias === undefined) return null;
  if (method === 'POST') return { route: 'submit', owner, alias, subPath: rest };
  const [requests, requestId, action] = rest;
  if (requests !== 'requests' || requestId === undefined || rest.length > 3) return null;
  if (method === 'GET' && action === undefined) return { route: 'result', owner, alias, requestId };
  if (method === 'GET' && action === 'status') return { route: 'status', owner, alias, requestId };
  if (method === 'PUT' && action === 'cancel') return { route: 'cancel', owner, alias, requestId };
  return null;
}

function authorized(parts: EmulatorParts, request: IncomingMessage, response: ServerResponse): boolean {
  const check = authenticate(request.headers.authorization, parts.acceptedKeys);
  if (!check.ok) sendJson(response, 401, { detail: check.detail });
  return check.ok;
}

async function submit(
  parts: EmulatorParts,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  app: FalApp,
  subPath: string[],
): Promise<void> {
  const input = parseJson(await readBody(request));
  if (input === undefined) {
    return sendJson(response, 422, { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
  }
  const admission = app.admit(input);
  if (!admission.ok) return sendJson(response, 422, { detail: admission.detail.map((d) => ({ ...d })) });
  const job = parts.jobs.submit({
    app,
    endpoint: [app.id, ...subPath].join('/'),
    input,
    webhookUrl: url.searchParams.get('fal_webhook'),
    run: admission.run,
  });
  const body = statusBody(parts, job, false);
  const hang = parts.faults.takeHang();
  if (hang === undefined) return sendJson(response, 200, body);
  if (hang.answerAfterMs !== undefined) parts.later(hang.answerAfterMs, () => sendJson(response, 200, body));
}

function statusBody(parts: EmulatorParts, job: Job, withLogs: boolean): PyJson {
  const requestUrl = `${parts.baseUrl}/queue/${job.app.id}/requests/${job.requestId}`;
  return {
    status: job.status,
    request_id: job.requestId,
    response_url: requestUrl,
    status_url: `${requestUrl}/status`,
    cancel_url: `${requestUrl}/cancel`,
    logs: withLogs ? job.logs.map((entry) => ({ ...entry })) : null,
    metrics: {},
    queue_position: job.status === 'IN_QUEUE' ? parts.jobs.queuePosition(job) : undefined,
  };
}

function result(response: ServerResponse, job: Job): void {
  if (job.outcome === null) return sendJson(response, 400, { detail: 'Request is still in progress' });
  const { httpStatus, body } = resultResponse(job.outcome);
  sendJson(response, httpStatus, body, { 'x-fal-request-id': job.requestId });
}

async function initiateUpload(parts: EmulatorParts, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = parseJson(await readBody(request));
  const { content_type: contentType, file_name: fileName } = (body ?? {}) as Record<string, unknown>;
  if (typeof contentType !== 'string' || typeof fileName !== 'string') {
    return sendJson(response, 422, {
      detail: [{ loc: ['body'], msg: 'content_type and file_name are required strings', type: 'value_error' }],
    });
  }
  const target = parts.files.initiateUpload(fileName, contentType);
  sendJson(response, 200, { upload_url: target.uploadUrl, file_url: target.fileUrl });
}

async function completeUpload(parts: EmulatorParts, request: IncomingMessage, response: ServerResponse, token: string): Promise<void> {
  const stored = parts.files.completeUpload(token, await readBody(request));
  response.writeHead(stored ? 200 : 404).end();
}

function serveFile(parts: EmulatorParts, response: ServerResponse, path: string): void {
  const file = parts.files.get(path);
  if (file === undefined) return sendJson(response, 404, { detail: 'File not found' });
  response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
  response.end(file.bytes);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
