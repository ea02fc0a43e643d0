import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { botConfigFromEnv, ConfigError } from '../src/config.js';
import { defaultPricing } from '../src/pricing.js';

const token = '123456:AAExampleExampleExampleExample';

test('long polling by default, against api.telegram.org unless TELEGRAM_API_ROOT says otherwise', () => {
  assert.equal(botConfigFromEnv({ TELEGRAM_BOT_TOKEN: token }), { token, apiRoot: undefined, webhook: null, logLevel: 'info', pricing: defaultPricing });
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

test('prices, the welcome grant and the top-up packages come from the environment, checked', () => {
  const config = botConfigFromEnv({
    TELEGRAM_BOT_TOKEN: token,
    PRICE_TRAINING_CREDITS: '200',
    PRICE_IMAGE_CREDITS: '7',
    WELCOME_CREDITS: '0',
    TOPUP_PACKAGES: 'small:100:50, big:1000:400',
  });
  assert.equal(config.pricing, {
    trainingCredits: 200,
    creditsPerImage: 7,
    welcomeCredits: 0,
    packages: [
      { id: 'small', credits: 100, stars: 50 },
      { id: 'big', credits: 1000, stars: 400 },
    ],
  });
  for (const [name, value, why] of [
    ['PRICE_TRAINING_CREDITS', '1.5', /PRICE_TRAINING_CREDITS must be a whole number/],
    ['PRICE_IMAGE_CREDITS', '0', /PRICE_IMAGE_CREDITS must be at least 1/],
    ['WELCOME_CREDITS', '-5', /WELCOME_CREDITS/],
    ['TOPUP_PACKAGES', 'a:1:1,a:2:2', /package ids must be unique/],
    ['TOPUP_PACKAGES', 'p:100', /must be id:credits:stars/],
    ['TOPUP_PACKAGES', 'p:100:20000', /stars must be 1 to 10,000/],
  ] as const) {
    assert.throws(() => botConfigFromEnv({ TELEGRAM_BOT_TOKEN: token, [name]: value }), why, `${name}=${value}`);
  }
});

test('pnpm start:bot without a token stops at once with one clear message', () => {
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', main], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 1);
  assert.match(run.stderr, 'TELEGRAM_BOT_TOKEN is required');
  assert.not.match(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

test.run();
