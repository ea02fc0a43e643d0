import type { IncomingMessage, ServerResponse } from 'node:http';
import { pythonJsonDumps, type PyJson } from './python-json.js';

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every JSON answer is written the way fal's Python services write it. */
export function sendJson(response: ServerResponse, status: number, value: PyJson, headers: Record<string, string> = {}): void {
  const body = pythonJsonDumps(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}
