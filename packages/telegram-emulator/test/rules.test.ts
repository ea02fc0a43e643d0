import { InlineKeyboard, type Bot } from 'grammy';
import type { MessageEntity } from 'grammy/types';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { apiError, createBot, rawCall } from './support.js';

const test = suite('Bot API rules the emulator enforces');

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let bob: EmulatedUser;

test.before(async () => {
  tg = await startTelegramEmulator();
  bot = createBot(tg);
  alice = tg.user({ firstName: 'Alice', languageCode: 'ru' });
  bob = tg.user({ firstName: 'Bob' });
  await alice.sendCommand('/start');
  await bob.sendCommand('/start');
});

test.after(async () => {
  await tg.close();
});

const keyboardWithData = (data: string) => new InlineKeyboard().text('Go', data);

test('callback_data is limited to 64 bytes, not characters', async () => {
  const tooLong = await apiError(bot.api.sendMessage(alice.id, 'Pick', { reply_markup: keyboardWithData('x'.repeat(65)) }));
  assert.equal([tooLong.error_code, tooLong.description], [400, 'Bad Request: BUTTON_DATA_INVALID']);
  const cyrillic = await apiError(bot.api.sendMessage(alice.id, 'Pick', { reply_markup: keyboardWithData('я'.repeat(33)) }));
  assert.is(cyrillic.description, 'Bad Request: BUTTON_DATA_INVALID');
  const fits = await bot.api.sendMessage(alice.id, 'Pick', { reply_markup: keyboardWithData('я'.repeat(32)) });
  assert.is(fits.reply_markup?.inline_keyboard[0]?.[0]?.text, 'Go');
});

test('an inline button needs exactly one of callback_data and url', async () => {
  const bare = await rawCall(tg, 'sendMessage', {
    chat_id: alice.id,
    text: 'Pick',
    reply_markup: { inline_keyboard: [[{ text: 'Nothing' }]] },
  });
  assert.is(bare.status, 400);
  assert.match(String(bare.body.description), /^Bad Request: can't parse inline keyboard button/);
  const both = await rawCall(tg, 'sendMessage', {
    chat_id: alice.id,
    text: 'Pick',
    reply_markup: { inline_keyboard: [[{ text: 'Both', callback_data: 'a', url: 'https://example.com' }]] },
  });
  assert.is(both.status, 400);
});

test('editing without a change is "message is not modified"', async () => {
  const keyboard = keyboardWithData('train');
  const sent = await bot.api.sendMessage(alice.id, '7/20 photos', { reply_markup: keyboard });
  const error = await apiError(bot.api.editMessageText(alice.id, sent.message_id, '7/20 photos', { reply_markup: keyboard }));
  assert.is(
    error.description,
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of a message',
  );
  const sameMarkup = await apiError(bot.api.editMessageReplyMarkup(alice.id, sent.message_id, { reply_markup: keyboard }));
  assert.match(sameMarkup.description, /message is not modified/);
  await bot.api.editMessageText(alice.id, sent.message_id, '8/20 photos', { reply_markup: keyboard });
  assert.is(alice.lastBotMessage()?.text, '8/20 photos');
  assert.is(alice.lastBotMessage()?.editCount, 1);
});

test('a deleted message cannot be edited', async () => {
  const sent = await bot.api.sendMessage(alice.id, 'Uploading…');
  await bot.api.deleteMessage(alice.id, sent.message_id);
  const error = await apiError(bot.api.editMessageText(alice.id, sent.message_id, 'Done'));
  assert.is(error.description, 'Bad Request: message to edit not found');
  const unknown = await apiError(bot.api.editMessageText(alice.id, 999_999, 'Done'));
  assert.is(unknown.description, 'Bad Request: message to edit not found');
});

test('HTML with user text like <3 fails to parse, entities always work', async () => {
  const html = await apiError(bot.api.sendMessage(alice.id, 'Your avatar <b>I <3 cats</b> is ready', { parse_mode: 'HTML' }));
  assert.is(html.error_code, 400);
  assert.is(html.description, 'Bad Request: can\'t parse entities: Unsupported start tag "3" at byte offset 17');
  const unknownTag = await apiError(bot.api.sendMessage(alice.id, '<p>hi</p>', { parse_mode: 'HTML' }));
  assert.match(unknownTag.description, /^Bad Request: can't parse entities: Unsupported start tag "p"/);

  const escaped = await bot.api.sendMessage(alice.id, 'Your avatar <b>I &lt;3 cats</b> is ready', { parse_mode: 'HTML' });
  assert.is(escaped.text, 'Your avatar I <3 cats is ready');
  assert.equal(escaped.entities, [{ type: 'bold', offset: 12, length: 9 }]);

  const name = 'I <3 cats';
  const entities: MessageEntity[] = [{ type: 'bold', offset: 12, length: name.length }];
  const plain = await bot.api.sendMessage(alice.id, `Your avatar ${name} is ready`, { entities });
  assert.equal(plain.entities, entities);
});

test('MarkdownV2 rejects unescaped reserved characters such as in Cyber_Alex*', async () => {
  const error = await apiError(bot.api.sendMessage(alice.id, 'Avatar Cyber_Alex* is ready', { parse_mode: 'MarkdownV2' }));
  assert.match(error.description, /^Bad Request: can't parse entities: /);
  const dot = await apiError(bot.api.sendMessage(alice.id, 'Ready.', { parse_mode: 'MarkdownV2' }));
  assert.is(dot.description, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
  const escaped = await bot.api.sendMessage(alice.id, '*Cyber\\_Alex\\** is ready\\.', { parse_mode: 'MarkdownV2' });
  assert.is(escaped.text, 'Cyber_Alex* is ready.');
  assert.equal(escaped.entities, [{ type: 'bold', offset: 0, length: 11 }]);
});

test('entities must fit the text, counted in UTF-16 code units', async () => {
  const text = '😀 ok';
  const fits = await bot.api.sendMessage(alice.id, text, { entities: [{ type: 'bold', offset: 3, length: 2 }] });
  assert.equal(fits.entities, [{ type: 'bold', offset: 3, length: 2 }]);
  const error = await apiError(bot.api.sendMessage(alice.id, text, { entities: [{ type: 'bold', offset: 3, length: 3 }] }));
  assert.match(error.description, /^Bad Request: can't parse entities/);
});

test('text must be non-empty and at most 4096 characters', async () => {
  const empty = await apiError(bot.api.sendMessage(alice.id, '   '));
  assert.is(empty.description, 'Bad Request: message text is empty');
  const long = await apiError(bot.api.sendMessage(alice.id, 'я'.repeat(4097)));
  assert.is(long.description, 'Bad Request: message is too long');
  const longest = await bot.api.sendMessage(alice.id, 'я'.repeat(4096));
  assert.is(longest.text.length, 4096);
});

test('a user who blocked the bot gets nothing: 403 on every send and edit', async () => {
  const before = await bot.api.sendMessage(bob.id, 'Training started');
  bob.blockBot();
  const send = await apiError(bot.api.sendMessage(bob.id, 'Your avatar is ready'));
  assert.equal([send.error_code, send.description], [403, 'Forbidden: bot was blocked by the user']);
  const edit = await apiError(bot.api.editMessageText(bob.id, before.message_id, 'Training 50%'));
  assert.is(edit.error_code, 403);
  const action = await apiError(bot.api.sendChatAction(bob.id, 'upload_photo'));
  assert.is(action.error_code, 403);

  const updates = await bot.api.getUpdates({ timeout: 0 });
  const blocked = updates.find((u) => u.my_chat_member?.from.id === bob.id);
  assert.is(blocked?.my_chat_member?.new_chat_member.status, 'kicked');

  bob.unblockBot();
  await bot.api.sendMessage(bob.id, 'Welcome back');
  assert.is(bob.lastBotMessage()?.text, 'Welcome back');
});

test('the bot cannot write first to someone who never started it', async () => {
  const carol = tg.user({ firstName: 'Carol' });
  const error = await apiError(bot.api.sendMessage(carol.id, 'Hi'));
  assert.equal([error.error_code, error.description], [403, "Forbidden: bot can't initiate conversation with a user"]);
  const stranger = await apiError(bot.api.sendMessage(424242, 'Hi'));
  assert.is(stranger.description, 'Bad Request: chat not found');
});

test('injected flood control answers 429 with retry_after, then recovers', async () => {
  tg.failNext('sendMessage', { count: 2, retryAfter: 3, chatId: alice.id });
  const first = await apiError(bot.api.sendMessage(alice.id, 'one'));
  assert.is(first.error_code, 429);
  assert.is(first.description, 'Too Many Requests: retry after 3');
  assert.equal(first.parameters, { retry_after: 3 });
  await bot.api.sendMessage(bob.id, 'other chats are not limited');
  const second = await apiError(bot.api.sendMessage(alice.id, 'two'));
  assert.is(second.error_code, 429);
  const third = await bot.api.sendMessage(alice.id, 'three');
  assert.is(third.text, 'three');
  const statuses = tg.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === alice.id).slice(-3);
  assert.equal(statuses.map((c) => c.status), [429, 429, 200]);
});

test('answerCallbackQuery with an id nobody sent is rejected', async () => {
  const error = await apiError(bot.api.answerCallbackQuery('123456789'));
  assert.is(error.description, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
});

test('a reply points at the replied message; a missing one fails unless allowed', async () => {
  const question = await alice.sendText('Which style?');
  const reply = await bot.api.sendMessage(alice.id, 'Realistic', { reply_parameters: { message_id: question.message_id } });
  assert.is(reply.reply_to_message?.message_id, question.message_id);
  assert.is(alice.lastBotMessage()?.replyToMessageId, question.message_id);
  const missing = await apiError(bot.api.sendMessage(alice.id, 'Realistic', { reply_parameters: { message_id: 999_999 } }));
  assert.is(missing.description, 'Bad Request: message to be replied not found');
  const allowed = await bot.api.sendMessage(alice.id, 'Realistic', {
    reply_parameters: { message_id: 999_999, allow_sending_without_reply: true },
  });
  assert.is(allowed.reply_to_message, undefined);
});

test('parameters may come in the query string or urlencoded, and method names ignore case', async () => {
  const query = new URLSearchParams({ chat_id: String(alice.id), text: 'from a query string' });
  const viaGet = await fetch(`${tg.apiRoot}/bot${tg.token}/SENDMESSAGE?${query}`);
  assert.is(viaGet.status, 200);
  assert.is(alice.lastBotMessage()?.text, 'from a query string');
  const form = new URLSearchParams({
    chat_id: String(alice.id),
    text: 'urlencoded',
    reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
  });
  const viaForm = await fetch(`${tg.apiRoot}/bot${tg.token}/sendMessage`, { method: 'POST', body: form });
  assert.is(viaForm.status, 200);
  assert.equal(alice.lastBotMessage()?.buttons, [[{ text: 'A', callbackData: 'a' }]]);
});

test('chat actions must be ones Telegram knows', async () => {
  assert.is(await bot.api.sendChatAction(alice.id, 'upload_photo'), true);
  const unknown = await rawCall(tg, 'sendChatAction', { chat_id: alice.id, action: 'dancing' });
  assert.equal([unknown.status, unknown.body.description], [400, 'Bad Request: wrong parameter action in request']);
});

test('bot commands are kept per language and validated', async () => {
  await bot.api.setMyCommands([{ command: 'start', description: 'Начать' }], { language_code: 'ru' });
  assert.equal(await bot.api.getMyCommands({ language_code: 'ru' }), [{ command: 'start', description: 'Начать' }]);
  assert.equal(await bot.api.getMyCommands(), []);
  const invalid = await apiError(bot.api.setMyCommands([{ command: 'New avatar', description: 'Create one' }]));
  assert.is(invalid.description, 'Bad Request: BOT_COMMAND_INVALID');
});

test.run();
