import { findInbound } from '@avatar/store';
import * as assert from 'uvu/assert';
import { botSuites, webhookSecret } from './harness.js';
import { botMessagesWith, waitForText, waitUntil } from './helpers.js';

function post(url: string, body: unknown, secret: string | undefined) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret !== undefined && { 'x-telegram-bot-api-secret-token': secret }) },
    body: JSON.stringify(body),
  });
}

botSuites(
  'webhook mode',
  (test) => {
    test('a wrong or missing secret token gets 401; a body that is no update gets 400', async ({ h }) => {
      const url = h.webhookUrl!;
      assert.is((await post(url, { update_id: 1 }, 'wrong')).status, 401);
      assert.is((await post(url, { update_id: 1 }, undefined)).status, 401);
      assert.is((await post(url, { hello: 'world' }, webhookSecret)).status, 400);
    });

    test('an update delivered twice is handled once (update_id in the inbox)', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      const update = {
        update_id: 900_000_001,
        message: {
          message_id: 900,
          date: Math.floor(Date.now() / 1000),
          from: user.info,
          chat: { id: user.id, type: 'private', first_name: user.info.first_name },
          text: '/help',
          entities: [{ type: 'bot_command', offset: 0, length: 5 }],
        },
      };
      const first = await post(h.webhookUrl!, update, webhookSecret);
      const second = await post(h.webhookUrl!, update, webhookSecret);
      assert.equal([first.status, second.status], [200, 200]);
      await waitForText(user, 'How it works:');
      await user.sendCommand('/start');
      await waitUntil('the next update is answered', () => botMessagesWith(user, 'Hi, ').length === 2);
      assert.is(botMessagesWith(user, 'How it works:').length, 1, 'answered once');
      assert.is((await findInbound(h.store.db, 'telegram', String(update.update_id)))?.outcome, 'applied');
      assert.ok(h.logs.some((l) => l.message === 'ignoring a redelivered update'));
    });
  },
  { modes: ['webhook'] },
);

botSuites(
  'error boundary',
  (test) => {
    test('a handler that fails is logged and the user is told; the next update works', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      h.tg.failNext('sendMessage', { errorCode: 400, description: 'Bad Request: an unexpected refusal', chatId: user.id });
      const asked = await user.sendCommand('/help');
      const told = await waitForText(user, 'Something went wrong on my side');
      assert.is(told.replyToMessageId, asked.message_id);
      assert.ok(h.logs.some((l) => l.level === 'error' && l.message === 'handling an update failed'));
      await user.sendCommand('/help');
      await waitForText(user, 'How it works:');
    });
  },
  { modes: ['polling', 'webhook'] },
);

botSuites(
  'database outage',
  (test) => {
    test('an update that arrives while the database is away gets a 5xx, so Telegram delivers it again; it is answered once the database is back', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      const webhookInfo = () => h.bot.bot.api.getWebhookInfo();

      h.database!.down();
      await user.sendCommand('/help');
      await waitUntil('Telegram to be refused the update', async () => /^Wrong response from the webhook: 5\d\d/.test((await webhookInfo()).last_error_message ?? ''));
      assert.is(botMessagesWith(user, 'How it works:').length, 0);

      h.database!.up();
      await waitForText(user, 'How it works:');
      await waitUntil('Telegram to have nothing left to deliver', async () => (await webhookInfo()).pending_update_count === 0);
      assert.is(botMessagesWith(user, 'How it works:').length, 1, 'answered once');
    });
  },
  { modes: ['webhook'], backends: ['postgres'], throughProxy: true },
);
