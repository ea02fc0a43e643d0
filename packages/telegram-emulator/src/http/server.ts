import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Dispatcher } from '../dispatcher.js';
import { BotApiError, errorBody, notFound, unauthorized } from '../errors.js';
import type { FileStore } from '../files.js';
import { readApiParams } from './api-params.js';

const apiPath = /^\/bot([^/]+)\/([^/]+)\/?$/;
const filePath = /^\/file\/bot([^/]+)\/(.+)$/;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const sendError = (response: ServerResponse, error: BotApiError) => sendJson(response, error.errorCode, errorBody(error));

/** Aborts when the client disconnects before the answer was sent (e.g. grammY stopping a long poll). */
function disconnectSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The Bot API endpoints `/bot<token>/<method>` and file downloads `/file/bot<token>/<file_path>`. */
export function createBotApiServer(token: string, dispatcher: Dispatcher, files: FileStore): Server {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const api = apiPath.exec(url.pathname);
    if (api !== null) {
      const [, pathToken = '', method = ''] = api;
      if (decodeURIComponent(pathToken) !== token) {
        sendError(response, unauthorized());
        return;
      }
      const { status, body } = await dispatcher.call(method, () => readApiParams(request, url), disconnectSignal(response));
      sendJson(response, status, body);
      return;
    }
    const download = filePath.exec(url.pathname);
    const file = download !== null && decodeURIComponent(download[1] ?? '') === token
      ? files.atPath(decodeURIComponent(download[2] ?? ''))
      : undefined;
    if (file === undefined) {
      sendError(response, notFound());
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    response.end(file.bytes);
  };

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, new BotApiError(500, `Internal Server Error: ${String(error)}`));
      else response.destroy();
    });
  });
}
