import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelegramEmulator, type TelegramEmulator } from '@avatar/telegram-emulator';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hasText } from './helpers.js';

interface Context {
  tg: TelegramEmulator;
  dataDir: string;
  child: ChildProcess | undefined;
  output: string;
}

const test = suite<Context>('pnpm start:bot', { tg: undefined as never, dataDir: '', child: undefined, output: '' });

test.before(async (ctx) => {
  ctx.tg = await startTelegramEmulator({ timeoutMs: 120_000 });
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'bot-main-'));
});

test.after(async (ctx) => {
  if (ctx.child?.exitCode === null) ctx.child.kill('SIGKILL');
  await ctx.tg?.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

/** Runs `src/main.ts` as `pnpm start:bot` does; resolves its exit code once it stops. */
function startMain(ctx: Context, env: Record<string, string>): Promise<number | null> {
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', TELEGRAM_BOT_TOKEN: ctx.tg.token, TELEGRAM_API_ROOT: ctx.tg.apiRoot, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ctx.child = child;
  ctx.output = '';
  child.stdout?.on('data', (chunk: Buffer) => (ctx.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (ctx.output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('long polling: starts from the environment (embedded PGlite), answers /start, stops cleanly on SIGTERM', async (ctx) => {
  const exited = startMain(ctx, { PGLITE_DATA_DIR: ctx.dataDir });
  const user = ctx.tg.user({ firstName: 'Ops' });
  await user.sendCommand('/start');
  await user.waitForBotMessage(hasText('Hi, Ops!'), { timeoutMs: 120_000 });
  assert.ok(ctx.tg.calls.some((c) => c.method === 'setMyCommands' && c.status === 200), 'the command menu is published');
  ctx.child?.kill('SIGTERM');
  assert.is(await exited, 0, ctx.output);
  assert.match(ctx.output, '"msg":"stopping"');
});

test('webhook mode when TELEGRAM_WEBHOOK_URL is set: sets the webhook with its secret and answers through it', async (ctx) => {
  const port = await freePort();
  const exited = startMain(ctx, {
    PGLITE_DATA_DIR: ctx.dataDir,
    TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
    TELEGRAM_WEBHOOK_SECRET: 'main-test-secret',
    PORT: String(port),
  });
  const user = ctx.tg.user({ firstName: 'Hook' });
  await user.sendCommand('/start');
  await user.waitForBotMessage(hasText('Hi, Hook!'), { timeoutMs: 120_000 });
  const setWebhook = ctx.tg.calls.find((c) => c.method === 'setWebhook');
  assert.is(setWebhook?.params.secret_token, 'main-test-secret');
  ctx.child?.kill('SIGTERM');
  assert.is(await exited, 0, ctx.output);
});

test.run();
