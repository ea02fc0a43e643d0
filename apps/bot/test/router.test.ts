import { startTelegramEmulator, type TelegramEmulator } from '@avatar/telegram-emulator';
import { Bot } from 'grammy';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inlineKeyboard, button } from '../src/actions/keyboard.js';
import { actions, type ActionName } from '../src/actions/registry.js';
import { callbackRouter, type ActionHandler, type ActionHandlers } from '../src/actions/router.js';
import type { BotContext } from '../src/context.js';
import { runPolling, type Polling } from '../src/index.js';
import { recordingLogger, type LogEntry } from './harness.js';

interface Context {
  tg: TelegramEmulator;
  polling: Polling;
  logs: LogEntry[];
}

/** Each action misbehaves in its own way; the router still answers every query exactly once. */
const behaviours: Partial<Record<ActionName, ActionHandler<ActionName>>> = {
  home: async () => {
    throw new Error('fails before answering');
  },
  newAvatar: async (_ctx, _params, tap) => {
    await tap.answer('first');
    throw new Error('fails after answering');
  },
  listAvatars: async (_ctx, _params, tap) => {
    await tap.answer('one');
    await tap.answer('two');
  },
  resumeCreation: async () => {},
};

const test = suite<Context>('callback router', { tg: undefined as never, polling: undefined as never, logs: [] });

test.before(async (ctx) => {
  ctx.tg = await startTelegramEmulator({ timeoutMs: 20_000 });
  const bot = new Bot<BotContext>(ctx.tg.token, { botInfo: ctx.tg.botInfo, client: { apiRoot: ctx.tg.apiRoot } });
  const handlers = Object.fromEntries(
    (Object.keys(actions) as ActionName[]).map((name) => [name, behaviours[name] ?? (async () => {})]),
  ) as unknown as ActionHandlers;
  bot.on('callback_query', callbackRouter(handlers, { unknownButton: () => 'unknown button', failed: () => 'it failed' }, recordingLogger(ctx.logs)));
  bot.on('message', (c) => c.reply('menu', { reply_markup: inlineKeyboard([[button('Home', 'home', {}), button('New', 'newAvatar', {})], [button('List', 'listAvatars', { page: 0 }), button('Resume', 'resumeCreation', {})]]) }));
  ctx.polling = await runPolling(bot, { timeoutSeconds: 1 });
});

test.after(async (ctx) => {
  await ctx.polling?.stop();
  await ctx.tg?.close();
});

test('every callback query is answered exactly once, even when its handler throws', async ({ tg, logs }) => {
  const user = tg.user({ firstName: 'Ann' });
  await user.sendText('hi');
  await user.waitForBotMessage((m) => m.buttons.length > 0);
  assert.equal(await user.tap('Home'), { text: 'it failed', showAlert: true });
  assert.equal(await user.tap('New'), { text: 'first', showAlert: false });
  assert.equal(await user.tap('List'), { text: 'one', showAlert: false });
  assert.equal(await user.tap('Resume'), { showAlert: false });
  assert.equal(tg.unansweredCallbacks(), []);
  const answers = tg.calls.filter((c) => c.method === 'answerCallbackQuery');
  assert.is(answers.length, 4, 'one answer per tap');
  assert.ok(answers.every((c) => c.status === 200));
  assert.is(logs.filter((l) => l.message === 'a button handler failed').length, 2, 'both failures are logged');
});

test.run();
