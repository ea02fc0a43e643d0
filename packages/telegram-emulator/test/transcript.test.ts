import { InlineKeyboard, InputFile, type Bot } from 'grammy';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTestImage, renderTranscript, startTelegramEmulator, type EmulatedUser, type TelegramEmulator } from '../src/index.js';
import { createBot, startPolling } from './support.js';

const test = suite('the chat transcript');

let tg: TelegramEmulator;
let bot: Bot;
let alice: EmulatedUser;
let stopPolling: (() => Promise<void>) | undefined;

test.before(async () => {
  tg = await startTelegramEmulator();
  bot = createBot(tg);
  bot.command('start', (ctx) =>
    ctx.reply('Welcome!\nCreate your avatar.', {
      reply_markup: new InlineKeyboard().text('Start training', 'train').row().text('Help', 'help'),
    }),
  );
  bot.callbackQuery('train', async (ctx) => {
    await ctx.answerCallbackQuery('Training started');
    await ctx.replyWithChatAction('upload_photo');
    await ctx.replyWithChatAction('upload_photo');
    const progress = await ctx.reply('Training 0%');
    for (const percent of [25, 50, 100]) await ctx.api.editMessageText(progress.chat.id, progress.message_id, `Training ${percent}%`);
    await ctx.replyWithPhoto(new InputFile(makeTestImage({ width: 512, height: 512, seed: 'result' })), {
      caption: 'Your avatar is ready',
      reply_markup: new InlineKeyboard().text('Generate', 'generate'),
    });
  });
  bot.on('message:photo', async (ctx) => {
    const notice = await ctx.reply('Photo received');
    await ctx.api.deleteMessage(notice.chat.id, notice.message_id);
  });
  alice = tg.user({ firstName: 'Alice' });
  stopPolling = await startPolling(bot);
});

test.after(async () => {
  await stopPolling?.();
  await tg.close();
});

test('renderTranscript shows the chat as a person would read it', async () => {
  await alice.sendCommand('/start');
  await alice.waitForBotMessage((m) => m.text?.startsWith('Welcome') ?? false);
  await alice.tap('Start training');
  await alice.waitForBotMessage((m) => m.kind === 'photo');
  await alice.sendAlbum([makeTestImage({ width: 600, height: 800, seed: 1 }), makeTestImage({ width: 600, height: 800, seed: 2 })]);
  await alice.waitForBotMessage(() => alice.transcript().filter((e) => e.kind === 'text' && e.deleted).length === 2);

  assert.fixture(
    renderTranscript(alice.transcript()),
    [
      'Alice: /start',
      'Bot: Welcome!',
      '  Create your avatar. [Start training] | [Help]',
      'Alice taps [Start training] → "Training started"',
      'Bot · upload_photo ×2',
      'Bot (edited ×3): Training 100%',
      'Bot: [photo 512×512] Your avatar is ready [Generate]',
      'Alice: [album: 2 photos]',
      'Bot (deleted): Photo received',
      'Bot (deleted): Photo received',
    ].join('\n'),
  );
});

test('the transcript keeps the raw messages and their latest state', () => {
  const progress = alice.transcript().find((e) => e.kind === 'text' && e.text === 'Training 100%');
  assert.ok(progress && progress.kind === 'text');
  assert.is(progress.editCount, 3);
  assert.is(progress.message.text, 'Training 100%');
  assert.ok(progress.message.edit_date);
});

test('with edits, a message shows as sent and its edits where they happened: a run shows its first and last', () => {
  const lines = renderTranscript(alice.transcript({ edits: true })).split('\n');
  const sent = lines.indexOf('Bot: Training 0%');
  assert.ok(sent > 0, lines.join('\n'));
  assert.match(lines[sent + 1]!, /^Bot ✎ message \d+: Training 25%$/);
  assert.match(lines[sent + 2]!, /^Bot ✎ ×2 message \d+: Training 100%$/);
  assert.is(lines[sent + 3], 'Bot: [photo 512×512] Your avatar is ready [Generate]');
  assert.not.ok(alice.transcript({ edits: true }).some((e) => e.kind === 'text' && e.editCount > 0), 'messages show what was sent');
});

test.run();
