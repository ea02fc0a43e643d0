import { InlineKeyboard, type Bot } from 'grammy';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTelegramEmulator, type EmulatedUser, type TapEntry, type TelegramEmulator } from '../src/index.js';
import { apiError, createBot, rawCall, startPolling } from './support.js';

const test = suite('long polling with a grammY bot');

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let stopPolling: (() => Promise<void>) | undefined;

test.before(async () => {
  tg = await startTelegramEmulator({ timeoutMs: 3000 });
  bot = createBot(tg);
  bot.command('start', (ctx) =>
    ctx.reply(`Welcome, ${ctx.from?.first_name}!`, {
      reply_markup: new InlineKeyboard().text('New avatar', 'avatar:new').text('My avatars', 'avatar:list'),
    }),
  );
  bot.callbackQuery('avatar:new', async (ctx) => {
    await ctx.answerCallbackQuery('Let us create one');
    await ctx.editMessageText('Send 10 to 20 photos');
  });
  // Deliberately never answered: the user would see a spinner.
  bot.callbackQuery('avatar:list', () => undefined);
  alice = tg.user({ firstName: 'Alice', languageCode: 'en' });
  stopPolling = await startPolling(bot);
});

test.after(async () => {
  await stopPolling?.();
  await tg.close();
});

test('a command is answered with an inline keyboard', async () => {
  await alice.sendCommand('/start');
  const welcome = await alice.waitForBotMessage((m) => m.text?.startsWith('Welcome') ?? false);
  assert.is(welcome.text, 'Welcome, Alice!');
  assert.equal(welcome.buttons, [
    [
      { text: 'New avatar', callbackData: 'avatar:new' },
      { text: 'My avatars', callbackData: 'avatar:list' },
    ],
  ]);
});

test('a tap resolves with the answer and the message is edited in place', async () => {
  const answer = await alice.tap('New avatar');
  assert.equal(answer, { text: 'Let us create one', showAlert: false });
  const edited = await alice.waitForBotMessage((m) => m.text === 'Send 10 to 20 photos');
  assert.ok(edited.edited);
  assert.equal(edited.buttons, [], 'editing the text without reply_markup drops the keyboard');
  assert.is(alice.messagesFromBot().length, 1);
});

test('a callback query can be answered only once', async () => {
  const tap = alice.transcript().find((entry): entry is TapEntry => entry.kind === 'tap');
  assert.ok(tap?.answer, 'the tap was answered');
  const error = await apiError(bot.api.answerCallbackQuery(tap.callbackQueryId, { text: 'again' }));
  assert.is(error.error_code, 400);
  assert.is(error.description, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
});

test('a tap the bot never answers times out and stays listed as unanswered', async () => {
  await alice.sendCommand('/start');
  await alice.waitForBotMessage((m) => m.buttons.flat().some((b) => b.text === 'My avatars') && !m.edited);
  let failure: unknown;
  await alice.tap('My avatars', { timeoutMs: 300 }).catch((error: unknown) => (failure = error));
  assert.instance(failure, Error);
  assert.match(String(failure), /did not answer the tap on \[My avatars\]/);
  assert.equal(
    tg.unansweredCallbacks().map((q) => [q.buttonText, q.data, q.userId]),
    [['My avatars', 'avatar:list', alice.id]],
  );
});

test('getMe returns the bot the emulator announced', async () => {
  assert.equal(await bot.api.getMe(), tg.botInfo);
});

test('stopping the bot confirms the updates it handled', async () => {
  await stopPolling?.();
  stopPolling = undefined;
  const pending = await bot.api.getUpdates({ timeout: 0 });
  assert.equal(pending, []);
});

test('a newer getUpdates terminates a waiting one with 409', async () => {
  let settled = false;
  const waiting = rawCall(tg, 'getUpdates', { timeout: 5 }).finally(() => (settled = true));
  // Newer short polls until one arrives while the first request is waiting.
  const deadline = Date.now() + 3000;
  while (!settled && Date.now() < deadline) {
    const newer = await rawCall(tg, 'getUpdates', { timeout: 0 });
    assert.is(newer.status, 200);
  }
  const terminated = await waiting;
  assert.is(terminated.status, 409);
  assert.is(
    terminated.body.description,
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  );
});

test('getUpdates is refused while a webhook is set', async () => {
  await bot.api.setWebhook('http://127.0.0.1:9/hook');
  const error = await apiError(bot.api.getUpdates());
  assert.is(error.error_code, 409);
  assert.is(error.description, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  await bot.api.deleteWebhook();
  assert.equal(await bot.api.getUpdates({ timeout: 0 }), []);
});

test('unknown methods get 404 and a wrong token 401', async () => {
  const unknown = await rawCall(tg, 'sendHologram', { chat_id: alice.id });
  assert.equal([unknown.status, unknown.body.description], [404, 'Not Found']);
  const response = await fetch(`${tg.apiRoot}/bot123:wrong/getMe`);
  assert.is(response.status, 401);
});

test('allowed_updates decides which new updates are queued', async () => {
  await bot.api.getUpdates({ timeout: 0, allowed_updates: ['callback_query'] });
  await alice.sendText('not for this bot');
  assert.equal(await bot.api.getUpdates({ timeout: 0 }), []);
  await bot.api.getUpdates({ timeout: 0, allowed_updates: [] });
  await alice.sendText('seen');
  const updates = await bot.api.getUpdates({ timeout: 0 });
  assert.equal(updates.map((u) => u.message?.text), ['seen']);
});

test.run();
