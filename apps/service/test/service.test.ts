import { createFalGateway, FalJwksCache } from '@avatar/fal';
import { startFalEmulator } from '@avatar/fal-emulator';
import { testBackends } from '@avatar/store/testing';
import { startTelegramEmulator } from '@avatar/telegram-emulator';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serviceConfigFromEnv, ServiceConfigError, startService } from '../src/index.js';

const config = suite('service configuration');

config('every missing setting of both apps is reported at once, before anything starts', () => {
  try {
    serviceConfigFromEnv({ PUBLIC_URL: 'not a url', TELEGRAM_WEBHOOK_URL: 'https://example.org/telegram' });
    assert.unreachable('the service started without settings');
  } catch (error) {
    assert.instance(error, ServiceConfigError);
    const message = (error as Error).message;
    for (const setting of ['FAL_KEY', 'PUBLIC_URL', 'WEBHOOK_HINT_SECRET', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET']) {
      assert.match(message, setting);
    }
  }
});

config('complete settings give both apps their configuration', () => {
  const parsed = serviceConfigFromEnv({
    FAL_KEY: 'key:secret',
    PUBLIC_URL: 'https://avatars.example.org',
    WEBHOOK_HINT_SECRET: 'a'.repeat(40),
    TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    TELEGRAM_WEBHOOK_URL: 'https://avatars.example.org/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: 'telegram-secret',
  });
  assert.is(parsed.webhooks.publicUrl, 'https://avatars.example.org');
  assert.equal(parsed.telegramWebhook, { url: 'https://avatars.example.org/telegram/webhook', secret: 'telegram-secret' });
});

config.run();

for (const backend of testBackends()) {
  const test = suite(`one process, both apps [${backend.name}]`);

  test('the bot answers /start while fal webhooks and health checks are served by the same process', async () => {
    const tg = await startTelegramEmulator();
    const fal = await startFalEmulator();
    const store = await backend.open();
    const service = await startService({
      store,
      logger: pino({ level: 'silent' }),
      telegram: { token: tg.token, apiRoot: tg.apiRoot, botInfo: tg.botInfo, webhook: null },
      fal: { gateway: createFalGateway({ credentials: fal.key, baseUrl: fal.url }), keys: new FalJwksCache({ url: fal.jwksUrl }) },
      http: { port: 0, host: '127.0.0.1' },
      hintSecret: 'h'.repeat(40),
    });
    try {
      const alice = tg.user({ firstName: 'Alice', languageCode: 'en' });
      await alice.sendCommand('/start');
      await alice.waitForBotMessage((m) => m.text?.startsWith('Hi, Alice!') ?? false, { timeoutMs: 20_000 });
      assert.is((await fetch(`${service.url}/healthz`)).status, 200);
      assert.is((await fetch(`${service.url}/readyz`)).status, 200);
      const forged = await fetch(`${service.url}/webhooks/fal`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.is(forged.status, 401);
    } finally {
      await service.stop();
      await store.close();
      await fal.close();
      await tg.close();
    }
  });

  test.run();
}
