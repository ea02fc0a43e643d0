import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for.js';

export interface ReceivedWebhook {
  /** Path and query string the webhook was posted to. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface WebhookReceiver {
  /** POST target; append any path and query string. */
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** The next deliveries are answered with these statuses, in order; later ones with 200. */
  answerWith(...statuses: number[]): void;
  /** Waits until `count` webhooks have arrived in total. */
  waitForCount(count: number, timeoutMs?: number): Promise<readonly ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A stand-in for the service's webhook route, recording what fal (or the emulator) posts. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '/', headers: request.headers, rawBody: Buffer.concat(chunks) });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answerWith: (...statuses) => answers.push(...statuses),
    waitForCount: (count, timeoutMs) =>
      waitFor(`${count} webhook(s)`, () => received.length >= count && received, timeoutMs),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
