import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookCallback, type Bot } from 'grammy';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { createBot, waitUntil } from './support.js';

const test = suite('webhook mode');

const secretToken = 'webhook-secret_42';

interface Delivery {
  secret: string | undefined;
  status: number;
  /** Known for failed deliveries only; handled ones are in `handled`. */
  updateId?: number;
}

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let server: Server;
let webhookUrl: string;
const deliveries: Delivery[] = [];
const handled: number[] = [];
let failuresToInject = 0;

function readUpdateId(request: IncomingMessage): Promise<number> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve((JSON.parse(body) as { update_id: number }).update_id));
  });
}

test.before(async () => {
  tg = await startTelegramEmulator({ webhook: { retryDelayMs: 20, maxRetryDelayMs: 100 } });
  bot = createBot(tg);
  bot.use((ctx, next) => {
    handled.push(ctx.update.update_id);
    return next();
  });
  bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  const handle = webhookCallback(bot, 'http', { secretToken });
  server = createServer((request, response) => {
    const header = request.headers['x-telegram-bot-api-secret-token'];
    const secret = typeof header === 'string' ? header : undefined;
    if (failuresToInject > 0) {
      failuresToInject--;
      void readUpdateId(request).then((updateId) => {
        deliveries.push({ secret, status: 500, updateId });
        response.writeHead(500).end();
      });
      return;
    }
    deliveries.push({ secret, status: 200 });
    void handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
  alice = tg.user({ firstName: 'Alice' });
});

test.after(async () => {
  await tg.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('updates are POSTed with the secret header and redelivered after a 500', async () => {
  await bot.api.setWebhook(webhookUrl, { secret_token: secretToken });
  failuresToInject = 1;
  await alice.sendText('hello');
  await alice.waitForBotMessage((m) => m.text === 'echo: hello');
  assert.equal(deliveries.map((d) => d.status), [500, 200]);
  assert.equal(handled, [deliveries[0]?.updateId], 'the bot handled the redelivered update once');
  assert.ok(deliveries.every((d) => d.secret === secretToken));
  const info = await bot.api.getWebhookInfo();
  assert.is(info.url, webhookUrl);
  assert.is(info.pending_update_count, 0);
  assert.match(info.last_error_message ?? '', /500/);
});

test('deliveries are sequential and in update_id order', async () => {
  handled.length = 0;
  failuresToInject = 2;
  for (const text of ['one', 'two', 'three']) await alice.sendText(text);
  await alice.waitForBotMessage((m) => m.text === 'echo: three');
  assert.is(handled.length, 3);
  assert.equal(handled, [...handled].sort((a, b) => a - b));
  const echoes = alice.messagesFromBot().map((m) => m.text).slice(-3);
  assert.equal(echoes, ['echo: one', 'echo: two', 'echo: three']);
  await waitUntil(async () => (await bot.api.getWebhookInfo()).pending_update_count === 0, 2000, 'the queue to drain');
});

test('a webhook may answer an update with a method call', async () => {
  const replying = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ method: 'sendMessage', chat_id: alice.id, text: 'answered in the webhook response' }));
    });
  });
  await new Promise<void>((resolve) => replying.listen(0, '127.0.0.1', resolve));
  await bot.api.setWebhook(`http://127.0.0.1:${(replying.address() as AddressInfo).port}/`);
  await alice.sendText('ping');
  await alice.waitForBotMessage((m) => m.text === 'answered in the webhook response');
  replying.closeAllConnections();
  await new Promise((resolve) => replying.close(resolve));
});

test('deleteWebhook returns to getUpdates and keeps updates that could not be delivered', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await bot.api.setWebhook(`http://127.0.0.1:${port}/nobody-listens`);
  await alice.sendText('are you there?');
  await waitUntil(
    async () => (await bot.api.getWebhookInfo()).last_error_message === 'Connection refused',
    2000,
    'a failed delivery',
  );
  await bot.api.deleteWebhook();
  const updates = await bot.api.getUpdates({ timeout: 0 });
  assert.equal(updates.map((u) => u.message?.text), ['are you there?']);
});

test.run();
