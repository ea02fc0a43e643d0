/**
 * Plays fal for the webhook ingestion figure, in a process of its own so the load does not share
 * the app's event loop: posts one signed "training succeeded" webhook per in-flight request over
 * `WEBHOOK_CONNECTIONS` keep-alive connections, each connection sending its next request when the
 * last is answered. Bodies are signed before the clock starts (signing is fal's cost, not ours).
 * Prints one JSON line: requests, seconds, requests/s, latency percentiles, errors, outcomes.
 *
 *   WEBHOOK_URL, WEBHOOK_SIGNING_KEY (PKCS#8 PEM), WEBHOOK_COUNT, WEBHOOK_CONNECTIONS,
 *   WEBHOOK_FIRST (the first in-flight request to deliver; default 0)
 */
import { createPrivateKey } from 'node:crypto';
import { Agent, request } from 'node:http';
import { falWebhookHeaders, signFalWebhook } from '@avatar/fal-emulator/testing';
import { percentile } from './load.js';
import { inFlightRequestId } from './seed.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const url = new URL('/webhooks/fal', required('WEBHOOK_URL'));
const key = createPrivateKey(required('WEBHOOK_SIGNING_KEY'));
const count = Number(required('WEBHOOK_COUNT'));
const connections = Number(required('WEBHOOK_CONNECTIONS'));
const first = Number(process.env.WEBHOOK_FIRST ?? 0);

const file = (name: string) => `{"content_type": null, "file_name": null, "file_size": null, "url": "https://v3.fal.media/files/bench/${name}"}`;

/** fal's training success body, serialized as fal's Python does, with its four signed headers. */
function signedDelivery(requestId: string) {
  const body = Buffer.from(
    `{"error": null, "gateway_request_id": "${requestId}", "payload": {"config_file": ${file('config.json')}, ` +
      `"diffusers_lora_file": ${file('lora.safetensors')}}, "request_id": "${requestId}", "status": "OK"}`,
  );
  const signature = signFalWebhook(key, { requestId, userId: 'fal-user', timestamp: String(Math.floor(Date.now() / 1000)), body });
  return {
    body,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...falWebhookHeaders(signature) },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: connections });

function post(delivery: ReturnType<typeof signedDelivery>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: delivery.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(delivery.body);
  });
}

const deliveries = Array.from({ length: count }, (_, n) => signedDelivery(inFlightRequestId(first + n)));
const latenciesMs: number[] = [];
const outcomes: Record<string, number> = {};
let errors = 0;
let firstError: string | null = null;
let next = 0;

const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let n = next++; n < count; n = next++) {
      const sent = performance.now();
      try {
        const { status, body } = await post(deliveries[n]!);
        latenciesMs.push(performance.now() - sent);
        const outcome = status === 200 ? String((JSON.parse(body) as { outcome?: unknown }).outcome) : `http ${status}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        // Each request is a distinct in-flight training: anything but "accepted" is an error.
        if (outcome !== 'accepted') {
          errors += 1;
          firstError ??= `${inFlightRequestId(first + n)}: ${status} ${body}`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();

latenciesMs.sort((a, b) => a - b);
const ms = (value: number) => Number(value.toFixed(1));
console.log(
  JSON.stringify({
    requests: count,
    connections,
    seconds: ms(seconds),
    perSecond: Math.round(count / seconds),
    latencyMs: { p50: ms(percentile(latenciesMs, 50)), p99: ms(percentile(latenciesMs, 99)), max: ms(latenciesMs.at(-1) ?? 0) },
    errors,
    firstError,
    outcomes,
    loadCpuMsPerWebhook: Number(((cpu.user + cpu.system) / 1000 / count).toFixed(2)),
  }),
);
