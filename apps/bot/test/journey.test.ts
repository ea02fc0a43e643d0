import { avatarsOf, loadAvatar, ownerProfiles, writeChatSession } from '@avatar/store';
import { projectorCaughtUp } from '@avatar/store/testing';
import * as assert from 'uvu/assert';
import { botSuites } from './harness.js';
import { botMessagesWith, createAvatarInChat, eventTypes, hasButton, photoCount, photos, press, seedAvatar, waitForText, waitUntil } from './helpers.js';
import { completeTraining } from './training.js';

botSuites(
  'the avatar journey',
  (test) => {
    test('Markdown-breaking names render verbatim, as bold entities', async ({ h }) => {
      const user = h.user();
      for (const name of ['<3', 'Cyber_Alex*', '*_[`']) {
        await createAvatarInChat(user, name, {}, h.store);
        const progress = await waitForText(user, `Photos for ${name}`);
        const offset = progress.text!.indexOf(name);
        assert.ok(progress.entities.some((e) => e.type === 'bold' && e.offset === offset && e.length === name.length), `${name} is bold`);
      }
      const sent = h.tg.calls.filter((c) => ['sendMessage', 'editMessageText'].includes(c.method));
      assert.ok(sent.length > 0);
      assert.ok(sent.every((c) => c.params.parse_mode === undefined), 'no message is sent with parse_mode');
      assert.ok(sent.every((c) => c.status === 200), 'Telegram accepted every message');
    });

    test('[Start training] appears at 10 photos and starts exactly one attempt', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Trainee', {}, h.store);
      await user.sendAlbum(photos(9));
      const nine = await waitForText(user, '9/20 photos');
      assert.not.ok(hasButton('🚀 Start training')(nine));
      await user.sendAlbum(photos(2));
      const progress = await user.waitForBotMessage(hasButton('🚀 Start training'));
      const answer = await press(user, '🚀 Start training', { messageId: progress.messageId });
      assert.is(answer.text, 'Training started');
      const card = await waitForText(user, 'Status: training (starting)');
      assert.is(card.messageId, progress.messageId, 'the progress message turns into the training card');
      assert.ok(hasButton('✖️ Cancel')(card) && hasButton('🔄 Refresh')(card));
      assert.not.ok(hasButton('🚀 Start training')(card));
      assert.is((await eventTypes(h.store, avatarId)).filter((t) => t === 'TrainingRequested').length, 1);
    });

    test('stale start buttons: a double tap and an old [Start training] start nothing twice', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Twice', {}, h.store);
      await user.sendAlbum(photos(10));
      const progress = await user.waitForBotMessage(hasButton('🚀 Start training'));
      await user.sendCommand('/avatars');
      const list = await waitForText(user, 'Your avatars:');
      await press(user, 'Twice', { messageId: list.messageId });
      const card = await user.waitForBotMessage((m) => m.messageId === list.messageId && hasButton('🚀 Start training')(m));

      const answers = await Promise.all([
        user.tap('🚀 Start training', { messageId: progress.messageId }),
        user.tap('🚀 Start training', { messageId: progress.messageId }),
      ]);
      assert.equal(answers.map((a) => a.text).sort(), ['Training started', 'Training has already been started (or cannot start now); nothing was started twice.'].sort());
      const old = await press(user, '🚀 Start training', { messageId: card.messageId });
      assert.match(old.text ?? '', /already been started/);
      await user.waitForBotMessage((m) => m.messageId === card.messageId && !hasButton('🚀 Start training')(m));
      assert.is((await eventTypes(h.store, avatarId)).filter((t) => t === 'TrainingRequested').length, 1, 'exactly one TrainingRequested');
      assert.ok(h.logs.some((l) => l.message === 'stale button'), 'the stale tap is logged');
    });

    test('cancel asks first, then cancels the training', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Stopper', {}, h.store);
      await user.sendAlbum(photos(10));
      await user.waitForBotMessage(hasButton('🚀 Start training'));
      await press(user, '🚀 Start training');
      await user.waitForBotMessage(hasButton('✖️ Cancel'));
      await press(user, '✖️ Cancel');
      await waitForText(user, 'Stop training Stopper?');
      assert.is((await press(user, 'Yes, cancel')).text, 'Cancelled');
      const card = await waitForText(user, 'Status: cancelled');
      assert.not.ok(hasButton('✖️ Cancel')(card));
      assert.equal((await eventTypes(h.store, avatarId)).slice(-1), ['TrainingCancelled']);
    });

    test('rename takes the next text as the name, and refuses a bad one', async ({ h }) => {
      const user = h.user();
      await createAvatarInChat(user, 'Old name', {}, h.store);
      await press(user, '👤 Avatar');
      await press(user, '✏️ Rename');
      await waitForText(user, 'Send the new name for Old name');
      await user.sendText('x'.repeat(65));
      await waitForText(user, 'That name will not work');
      await user.sendText('Cyber_Alex*');
      await waitForText(user, 'Renamed to Cyber_Alex*');
      await waitForText(user, '👤 Cyber_Alex*');
    });

    test('the list shows every avatar with its status; delete asks first', async ({ h }) => {
      const user = h.user();
      await createAvatarInChat(user, 'Keeper', {}, h.store);
      const doomed = await createAvatarInChat(user, 'Doomed', {}, h.store);
      await user.sendAlbum(photos(3));
      await waitForText(user, '3/20 photos');
      await user.sendCommand('/avatars');
      const list = await waitForText(user, 'Your avatars:');
      assert.match(list.text!, '• Keeper — no photos yet, 0 photos');
      assert.match(list.text!, '• Doomed — collecting photos, 3 photos');
      await press(user, 'Doomed', { messageId: list.messageId });
      await press(user, '🗑 Delete', { messageId: list.messageId });
      await waitForText(user, 'Delete Doomed for good?');
      assert.is((await press(user, 'Yes, delete')).text, 'Deleted');
      await waitForText(user, 'Doomed was deleted.');
      assert.equal((await eventTypes(h.store, doomed)).slice(-1), ['AvatarDeleted']);
      await user.sendCommand('/avatars');
      await user.waitForBotMessage((m) => (m.text?.includes('Your avatars:') ?? false) && m.messageId !== list.messageId);
      const again = user.lastBotMessage()!;
      assert.not.match(again.text!, 'Doomed');
    });

    test('only a completed avatar can be made main; /generate then uses it', async ({ h }) => {
      const user = h.user();
      const first = await seedAvatar(h.store, user, { name: 'First', photos: 10 });
      const second = await seedAvatar(h.store, user, { name: 'Second', photos: 10 });
      const draft = await seedAvatar(h.store, user, { name: 'Draft' });
      await completeTraining(h.store, first);
      await completeTraining(h.store, second);
      await projectorCaughtUp(h.store, ownerProfiles);

      await user.sendCommand('/avatars');
      const list = await waitForText(user, 'Your avatars:');
      assert.match(list.text!, '• First ⭐ — ready');
      await press(user, 'Draft', { messageId: list.messageId });
      const draftCard = await waitForText(user, '👤 Draft');
      assert.not.ok(hasButton('⭐ Make main')(draftCard), 'no [Make main] before training completed');
      await press(user, '📋 My avatars');
      await press(user, 'Second', { messageId: list.messageId });
      await press(user, '⭐ Make main');
      await waitForText(user, '👤 Second ⭐ main');
      await projectorCaughtUp(h.store, ownerProfiles);
      await user.sendCommand('/generate');
      await waitForText(user, 'Describe the picture of Second');
      assert.ok(await loadAvatar(h.store, draft));
    });

    test('after a restart, /start offers to continue; an old question still works', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Unfinished', {}, h.store);
      await user.sendAlbum(photos(3));
      await waitForText(user, '3/20 photos');
      await user.sendCommand('/new');
      await waitForText(user, 'What should your new avatar be called?');
      await user.sendText('Halfway');
      const question = await user.waitForBotMessage(hasButton('Female'));

      await h.restartBot();

      await user.sendCommand('/start');
      const home = await waitForText(user, 'Continue where you stopped:');
      assert.match(home.text!, 'You were creating the avatar Halfway.');
      assert.ok(hasButton('▶️ Continue Unfinished')(home) && hasButton('▶️ Continue creating')(home));
      await press(user, 'Female', { messageId: question.messageId });
      await user.waitForBotMessage((m) => m.messageId === question.messageId && hasButton('Portrait (best likeness, slower)')(m));
      await press(user, 'Portrait (best likeness, slower)');
      await waitForText(user, 'Photos for Halfway');

      await press(user, '▶️ Continue Unfinished', { messageId: home.messageId });
      await waitForText(user, 'Send photos here to add them.');
      await user.sendAlbum(photos(2));
      await waitUntil('photos go to the avatar continued', async () => (await photoCount(h.store, avatarId)) === 5);
      const names = (await avatarsOf(h.store.db, user.id)).map((a) => a.name);
      assert.equal(names.sort(), ['Halfway', 'Unfinished']);
    });

    test('Russian: texts and plural forms follow the language of the Telegram app', async ({ h }) => {
      const user = h.user({ languageCode: 'ru-RU', firstName: 'Оля' });
      await user.sendCommand('/start');
      await waitForText(user, 'Привет, Оля!');
      await press(user, '➕ Новый аватар');
      await waitForText(user, 'Как назвать новый аватар?');
      await user.sendText('Оля');
      await press(user, 'Женщина');
      await press(user, (text) => text.startsWith('Портрет'));
      await user.sendAlbum(photos(3));
      await waitForText(user, '3/20 фото. Ещё 7 фотографий — и можно обучать.');
      await user.sendAlbum(photos(5));
      await waitForText(user, '8/20 фото. Ещё 2 фотографии — и можно обучать.');
      await user.sendPhoto(photos(1)[0]!);
      await waitForText(user, '9/20 фото. Ещё 1 фотография — и можно обучать.');
      assert.not.ok(user.messagesFromBot().some((m) => /\{[a-z-]+\}/.test(m.text ?? '')), 'no missing translation');
    });

    test('unexpected text, unknown commands and an unreadable chat session are answered with the way forward', async ({ h }) => {
      const user = h.user();
      await writeChatSession(h.store.db, `flow:${user.id}`, { step: 'from-an-older-version', avatarId: 42 });
      await user.sendText('hello?');
      await waitForText(user, 'I did not get that.');
      await user.sendCommand('/frobnicate');
      await waitForText(user, 'How it works:');
      assert.is(botMessagesWith(user, 'I did not get that.').length, 1);
      assert.ok(h.logs.some((l) => l.message === 'ignoring a chat session that does not parse'));
    });
  },
  { modes: ['polling', 'webhook'] },
);
