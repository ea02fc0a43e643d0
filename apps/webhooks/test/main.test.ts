import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { startFalEmulator, type FalEmulator } from '@avatar/fal-emulator';
import { waitFor } from '@avatar/fal-emulator/testing';
import { startTelegramEmulator, type TelegramEmulator } from '@avatar/telegram-emulator';
import { hintSecret } from './support.js';

const mainScript = join(import.meta.dirname, '..', 'src', 'main.ts');
let fal: FalEmulator;
let tg: TelegramEmulator;
let dataDir: string;

test.before(async () => {
  fal = await startFalEmulator();
  tg = await startTelegramEmulator();
  dataDir = mkdtempSync(join(tmpdir(), 'webhooks-main-'));
});
test.after(async () => {
  await fal.close();
  await tg.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('without its settings the app says which are missing and exits 1', async () => {
  const { exited, output } = run({ PGLITE_DATA_DIR: dataDir, FAL_KEY: fal.key });
  assert.is(await exited, 1);
  assert.match(output(), /PUBLIC_URL: is required/);
  assert.match(output(), /WEBHOOK_HINT_SECRET: is required/);
  assert.match(output(), /TELEGRAM_BOT_TOKEN: is required/);
  assert.not.match(output(), /FAL_KEY/);
});

test('pnpm start:webhooks migrates, becomes ready, and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const app = run({
    PORT: String(port),
    HOST: '127.0.0.1',
    PGLITE_DATA_DIR: dataDir,
    FAL_KEY: fal.key,
    FAL_BASE_URL: fal.url,
    FAL_JWKS_URL: fal.jwksUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    WEBHOOK_HINT_SECRET: hintSecret,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    LOG_LEVEL: 'warn',
  });
  try {
    const ready = await waitFor(
      'the app to be ready',
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200,
      // An empty PGlite data directory takes PGlite's initdb, which is slow on a busy machine.
      90_000,
    );
    assert.ok(ready);
  } catch (error) {
    app.child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${app.output()}`);
  }
  app.child.kill('SIGTERM');
  assert.is(await app.exited, 0, app.output());
});

test.run();
