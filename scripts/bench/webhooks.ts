import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { FalJwksCache } from '@avatar/fal';
import { openStore, type DatabaseConfig } from '@avatar/store';
import { buildWebhookApp } from '@avatar/webhooks';

/**
 * The webhook app as production runs it (its own pool of the default size, info-level JSON logs,
 * signature checks against keys fetched from a JWKS URL) receiving one signed training webhook per
 * in-flight avatar from a load process over `connections` connections. The rate limit is raised: every request
 * comes from one loopback address, as they would from a few fal addresses.
 */
export async function webhookIngestion(
  database: DatabaseConfig,
  { count, warmup, connections }: { count: number; warmup: number; connections: number },
) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwks = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kty: 'OKP', crv: 'Ed25519' }] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const webhookStore = await openStore(database);
  const logger = pino({ level: 'info', base: { app: 'webhooks' } }, pino.destination({ dest: '/dev/null', sync: false }));
  const app = await buildWebhookApp({
    store: webhookStore,
    jwks: new FalJwksCache({ url: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json` }),
    logger,
    hintSecret: 'bench-hint-secret-that-is-long-enough-0123456789',
    rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 },
  });
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // A production app has been running for hours: its code is compiled and its pool is full.
    // The warm-up's webhooks go to in-flight avatars of their own and are not counted.
    if (warmup > 0) await deliver({ address, signingKey, first: 0, count: warmup, connections });
    const cpuBefore = process.cpuUsage();
    const load = await deliver({ address, signingKey, first: warmup, count, connections });
    const cpu = process.cpuUsage(cpuBefore);
    // The app's own CPU per webhook (user + system), to tell its cost from the machine's load.
    return { ...load, warmupRequests: warmup, appCpuMsPerWebhook: Number(((cpu.user + cpu.system) / 1000 / count).toFixed(2)) };
  } finally {
    await app.close();
    await webhookStore.close();
    jwks.close();
  }
}

interface LoadResult {
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  errors: number;
}

/** Runs the load process (webhook-load-child.ts) for in-flight requests first … first + count - 1. */
async function deliver(load: { address: string; signingKey: string; first: number; count: number; connections: number }): Promise<LoadResult> {
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'webhook-load-child.ts')],
      {
        env: {
          ...process.env,
          WEBHOOK_URL: load.address,
          WEBHOOK_SIGNING_KEY: load.signingKey,
          WEBHOOK_FIRST: String(load.first),
          WEBHOOK_COUNT: String(load.count),
          WEBHOOK_CONNECTIONS: String(load.connections),
        },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
      (error, stdout) => (error ? reject(error) : resolve({ stdout })),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult;
}
