import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { botConfigFromEnv, ConfigError } from '../src/config.js';

const token = '123456:AAExampleExampleExampleExample';

test('long polling by default, against api.telegram.org unless TELEGRAM_API_ROOT says otherwise', () => {
  assert.equal(botConfigFromEnv({ TELEGRAM_BOT_TOKEN: token }), { token, apiRoot: undefined, webhook: null, logLevel: 'info' });
  assert.is(botConfigFromEnv({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' }).apiRoot, 'http://127.0.0.1:8081');
});

test('webhook mode when TELEGRAM_WEBHOOK_URL is set, served on PORT at the URL path', () => {
  const config = botConfigFromEnv({
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/hook',
    TELEGRAM_WEBHOOK_SECRET: 's3cret_-x',
    PORT: '9000',
  });
  assert.equal(config.webhook, { url: 'https://bot.example.com/telegram/hook', secret: 's3cret_-x', path: '/telegram/hook', port: 9000 });
});

test('every missing or wrong setting is named in one error', () => {
  try {
    botConfigFromEnv({ TELEGRAM_WEBHOOK_URL: 'not a url', PORT: 'eighty' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_URL', 'PORT']) assert.match(message, name);
  }
  assert.throws(() => botConfigFromEnv({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_URL: 'https://x.example/h' }), /TELEGRAM_WEBHOOK_SECRET is required/);
  assert.throws(() => botConfigFromEnv({ TELEGRAM_BOT_TOKEN: 'nope' }), /does not look like a bot token/);
});

test('pnpm start:bot without a token stops at once with one clear message', () => {
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', main], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 1);
  assert.match(run.stderr, 'TELEGRAM_BOT_TOKEN is required');
  assert.not.match(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

test.run();
