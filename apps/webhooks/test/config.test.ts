import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { defaultFalJwksUrl } from '@avatar/fal';
import { loadWebhooksConfig, productionTimings, WebhooksConfigError } from '../src/index.js';

const complete = {
  FAL_KEY: 'key-id:key-secret',
  PUBLIC_URL: 'https://hooks.example.com/',
  WEBHOOK_HINT_SECRET: 'a-secret-of-at-least-thirty-two-characters',
  TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadWebhooksConfig(env);
  } catch (error) {
    if (error instanceof WebhooksConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

test('missing settings are all reported at once, never replaced by stand-ins', () => {
  assert.equal(problemsOf({ FAL_KEY: '  ' }), [
    'FAL_KEY: is required',
    'PUBLIC_URL: is required',
    'WEBHOOK_HINT_SECRET: is required',
    'TELEGRAM_BOT_TOKEN: is required',
  ]);
});

test('invalid settings are reported with what is wrong with each', () => {
  const problems = problemsOf({
    ...complete,
    PORT: 'eighty',
    FAL_KEY: 'no-colon',
    PUBLIC_URL: 'ftp://hooks.example.com',
    WEBHOOK_HINT_SECRET: 'short',
    FAL_RECONCILE_AFTER_MS: '-5',
    RATE_LIMIT_MAX: '1.5',
  });
  assert.is(problems.length, 6);
  assert.ok(problems.some((p) => p.startsWith('PORT: ')));
  assert.ok(problems.includes('FAL_KEY: must look like key_id:key_secret'));
  assert.ok(problems.some((p) => p.startsWith('PUBLIC_URL: must be an http(s) URL')));
  assert.ok(problems.some((p) => p.startsWith('WEBHOOK_HINT_SECRET: must be at least 32 characters')));
  assert.ok(problems.includes('FAL_RECONCILE_AFTER_MS: must be positive'));
  assert.ok(problems.includes('RATE_LIMIT_MAX: must be a whole number'));
  assert.ok(problemsOf({ ...complete, PUBLIC_URL: 'https://hooks.example.com/?x=1' }).includes('PUBLIC_URL: must not have a query string or fragment'));
});

test('a complete environment: production defaults, and what is set overrides them', () => {
  const config = loadWebhooksConfig({ ...complete, DATABASE_URL: 'postgres://db/avatars', FAL_RECONCILE_AFTER_MS: '30000', PORT: '9000' });
  assert.is(config.port, 9000);
  assert.is(config.publicUrl, 'https://hooks.example.com');
  assert.equal(config.fal, { credentials: 'key-id:key-secret', baseUrl: null, jwksUrl: defaultFalJwksUrl, submitTimeoutMs: null });
  assert.equal(config.telegram, { token: '123456:ABC-def_ghi', apiRoot: 'https://api.telegram.org' });
  assert.equal(config.database, { kind: 'postgres', url: 'postgres://db/avatars' });
  assert.equal(config.timings, { ...productionTimings, reconcileAfterMs: 30_000 });
  assert.equal(config.rateLimit, { max: 1000, timeWindowMs: 60_000 });
  assert.is(config.bodyLimitBytes, 1024 * 1024);

  const embedded = loadWebhooksConfig({ ...complete, PGLITE_DATA_DIR: '/var/lib/avatars' });
  assert.equal(embedded.database, { kind: 'pglite', dataDir: '/var/lib/avatars' });
});

test.run();
