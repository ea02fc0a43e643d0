import { loadAvatar, readStream } from '@avatar/store';
import * as assert from 'uvu/assert';
import { actions, decodeAction, maxCallbackDataBytes, type ActionName } from '../src/index.js';
import { sendScreen } from '../src/telegram/screens.js';
import { botSuites } from './harness.js';
import { hasText, seedAvatar, waitForText } from './helpers.js';
import { generalScreens, screensOf, textsIn } from './screens.js';
import { avatarSetups } from './states.js';
import { completeTraining, finishedGeneration } from './training.js';

const en = textsIn('en');
const unknownButton = en.t('stale-unknown-button');
const failure = en.t('error-try-again');

botSuites(
  'buttons',
  (test) => {
    test('dead buttons: every keyboard in every avatar status; every button is handled and answered once', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      const api = h.bot.bot.api;
      const pressed = new Set<ActionName>();

      /** Sends the whole keyboard (Telegram must accept it), then presses each button on its own copy. */
      async function pressEvery(where: string, view: Parameters<typeof sendScreen>[2]) {
        await sendScreen(api, user.id, view);
        for (const button of view.buttons.flat()) {
          assert.ok(Buffer.byteLength(button.callbackData) <= maxCallbackDataBytes, `${where}: [${button.text}] data fits`);
          const call = decodeAction(button.callbackData);
          assert.ok(call, `${where}: [${button.text}] names a registered action`);
          pressed.add(call.name);
          const copy = await sendScreen(api, user.id, { text: view.text, buttons: [[button]] });
          const answer = await user.tap(button.text, { messageId: copy.message_id });
          assert.is.not(answer.text, unknownButton, `${where}: [${button.text}] is handled`);
          assert.is.not(answer.text, failure, `${where}: [${button.text}] does not fail`);
        }
      }

      for (const [label, setup] of Object.entries(avatarSetups)) {
        const probe = (await loadAvatar(h.store, await setup.build(h.store, user)))!.state!;
        for (const name of Object.keys(screensOf(en, probe, crypto.randomUUID()))) {
          const avatarId = await setup.build(h.store, user);
          const state = (await loadAvatar(h.store, avatarId))!.state!;
          const generationId = state.context.lora ? await finishedGeneration(h.store, avatarId, { failure: 'nsfw' }) : crypto.randomUUID();
          await pressEvery(`${label} / ${name}`, screensOf(en, state, generationId)[name]!);
        }
      }
      for (const [name, view] of Object.entries(generalScreens(en, crypto.randomUUID(), crypto.randomUUID()))) {
        await pressEvery(name, view);
      }

      // Everything the taps set off has run once the bot answers a command sent after them.
      await user.sendCommand('/help');
      await user.waitForBotMessage(hasText('How it works:'), { timeoutMs: 60_000 });
      assert.equal([...pressed].sort(), (Object.keys(actions) as ActionName[]).sort(), 'every registered action has a button somewhere');
      assert.equal(h.tg.unansweredCallbacks(), [], 'every callback query was answered');
      assert.equal(h.logs.filter((l) => l.level === 'error'), [], 'no handler failed');
      const answers = h.tg.calls.filter((c) => c.method === 'answerCallbackQuery');
      assert.ok(answers.every((c) => c.status === 200), 'no callback query was answered twice');
    });

    test('unknown callback data is answered with a clear message and logged', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      const buttons = ['💰 Top up', '🎨 Generate image', 'o:not-an-id', 'ts:AAAAAAAAAAAAAAAAAAAAAA'].map((data) => [{ text: data, callback_data: data }]);
      await h.bot.bot.api.sendMessage(user.id, 'An old message from an earlier version of the bot', { reply_markup: { inline_keyboard: buttons } });
      for (const [button] of buttons) {
        const answer = await user.tap(button!.text);
        assert.is(answer.text, unknownButton);
        assert.ok(answer.showAlert);
      }
      assert.is(h.logs.filter((l) => l.message === 'callback data names no registered action').length, buttons.length);
      assert.equal(h.tg.unansweredCallbacks(), []);
    });

    test("another user's avatar: a callback naming it changes nothing and says so", async ({ h }) => {
      const alice = h.user({ firstName: 'Alice' });
      const mallory = h.user({ firstName: 'Mallory' });
      await mallory.sendCommand('/start');
      await waitForText(mallory, 'Hi, Mallory');
      const ready = await seedAvatar(h.store, alice, { name: 'Alice ready', photos: 12 });
      const completed = await seedAvatar(h.store, alice, { name: 'Alice done', photos: 10 });
      await completeTraining(h.store, completed);
      const generation = await finishedGeneration(h.store, completed, { failure: 'nsfw' });
      const versions = async () => Promise.all([ready, completed, generation].map(async (id) => (await readStream(h.store.db, id)).length));
      const before = await versions();

      for (const avatarId of [ready, completed]) {
        const state = (await loadAvatar(h.store, avatarId))!.state!;
        const views = screensOf(en, state, generation);
        for (const view of [views.card!, views['photo removal']!, views['confirm delete']!, views['confirm cancel']!, views['generation failed']!]) {
          for (const button of view.buttons.flat()) {
            const call = decodeAction(button.callbackData)!;
            if (call.name === 'listAvatars') continue;
            const copy = await sendScreen(h.bot.bot.api, mallory.id, { text: view.text, buttons: [[button]] });
            const answer = await mallory.tap(button.text, { messageId: copy.message_id });
            assert.is(answer.text, en.t('not-your-avatar'), `[${button.text}] (${call.name}) is refused`);
          }
        }
      }
      assert.equal(await versions(), before, "Alice's avatars and generation are unchanged");
      assert.ok(h.logs.some((l) => l.level === 'warn' && l.message === "a button names another user's avatar"));
      assert.equal(h.tg.unansweredCallbacks(), []);
    });
  },
  { notifier: false },
);
