import { makeNonImage, makeTestImage } from '@avatar/telegram-emulator';
import * as assert from 'uvu/assert';
import { botSuites } from './harness.js';
import { botMessagesWith, createAvatarInChat, photo, photoCount, photos, waitForText, waitUntil } from './helpers.js';

/** Upload rules as the user meets them: every photo is added or answered with its reason. */
botSuites(
  'photo uploads',
  (test) => {
    test('photos, albums and image files fill ONE progress message, edited in place', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Progress', {}, h.store);
      await user.sendPhoto(photo());
      await waitForText(user, '1/20 photos. 9 more photos needed to start training.');
      await user.sendAlbum(photos(5));
      await waitForText(user, '6/20 photos. 4 more photos needed');
      await user.sendDocument(photo(), { fileName: 'me.png' });
      await waitForText(user, '7/20 photos. 3 more photos needed');
      assert.is(botMessagesWith(user, 'Photos for Progress').length, 1, 'one progress message per avatar');
      assert.is(await photoCount(h.store, avatarId), 7);
    });

    test('documents swallowed: an image sent as a file is a photo; a PDF is refused with its reason', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Files', {}, h.store);
      // The declared type lies both ways: the bytes decide.
      await user.sendDocument(makeTestImage({ width: 700, height: 900, seed: 'file-photo' }), { fileName: 'scan.bin', mimeType: 'application/octet-stream' });
      await waitForText(user, '1/20 photos');
      const pdf = await user.sendDocument(makeNonImage(), { fileName: 'photo.jpg', mimeType: 'image/jpeg' });
      const refusal = await waitForText(user, 'this file is not an image');
      assert.is(refusal.replyToMessageId, pdf.message_id, 'the refusal answers the file it is about');
      assert.ok(refusal.text?.startsWith('Not added to Files:'));
      assert.is(await photoCount(h.store, avatarId), 1);
    });

    test('too small, too large and duplicates are refused with their reasons, before downloading when possible', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Rules', {}, h.store);
      const first = photo();
      const sent = await user.sendPhoto(first);
      await waitForText(user, '1/20 photos');

      await user.sendPhoto(makeTestImage({ width: 400, height: 300, seed: 'small' }));
      await waitForText(user, 'it is 400×300 px; the shortest side must be at least 512 px');

      await user.sendPhoto(first, { sameFileAs: sent });
      await waitForText(user, 'this photo is already there');
      // Same pixels, new Telegram file: caught by the SHA-256.
      await user.sendDocument(first, { fileName: 'again.png' });
      await waitUntil('two duplicate refusals', () => botMessagesWith(user, 'this photo is already there').length === 2);

      const getFilesBefore = h.tg.calls.filter((c) => c.method === 'getFile').length;
      await user.sendDocument(new Uint8Array(21 * 1024 * 1024), { fileName: 'huge.jpg' });
      await waitForText(user, 'it is 21 MB; files over 20 MB cannot be downloaded');
      assert.is(h.tg.calls.filter((c) => c.method === 'getFile').length, getFilesBefore, 'a file over 20 MB is refused without downloading');
      assert.is(await photoCount(h.store, avatarId), 1);
    });

    test('album limit overflow: an album of 10 when 15 are in: 5 added, 5 refused each with the reason', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Overflow', {}, h.store);
      await user.sendAlbum(photos(10));
      await waitForText(user, '10/20 photos');
      await user.sendAlbum(photos(5));
      await waitForText(user, '15/20 photos');
      const album = await user.sendAlbum(photos(10));
      await waitUntil('five refusals', () => botMessagesWith(user, 'the avatar already has 20 photos').length === 5);
      await waitForText(user, '20/20 photos. That is the maximum.');
      const refusals = botMessagesWith(user, 'the avatar already has 20 photos');
      assert.equal(
        refusals.map((m) => m.replyToMessageId),
        album.slice(5).map((m) => m.message_id),
        'the last five photos of the album are each answered',
      );
      assert.is(await photoCount(h.store, avatarId), 20);
    });

    test('removing photos by number updates the avatar and the same message', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Remover', {}, h.store);
      await user.sendAlbum(photos(10));
      await waitForText(user, '10/20 photos');
      await user.tap('🗑 Remove photos');
      await waitForText(user, 'Tap a number to remove that photo');
      const answer = await user.tap('✖ 10');
      assert.is(answer.text, 'Photo removed');
      await waitForText(user, '9/20 photos');
      assert.is(await photoCount(h.store, avatarId), 9);
      assert.is(botMessagesWith(user, 'Photos of Remover').length, 1, 'the removal screen is edited, not repeated');
      const progress = await user.waitForBotMessage((m) => m.buttons.flat().some((b) => b.text === '✖ 9'));
      assert.not.ok(progress.buttons.flat().some((b) => b.text === '🚀 Start training'), 'no [Start training] below 10 photos');
    });

    test('photos without an avatar are answered, not dropped', async ({ h }) => {
      const user = h.user();
      const sent = await user.sendPhoto(photo());
      const answer = await waitForText(user, 'I have no avatar to add this photo to');
      assert.is(answer.replyToMessageId, sent.message_id);
      assert.ok(answer.buttons.flat().some((b) => b.text === '➕ New avatar'));
    });
  },
  { modes: ['polling', 'webhook'] },
);

botSuites(
  'photo uploads on two instances',
  (test) => {
    test('an album dealt to two instances at once: every photo added once, ONE progress message, the final count', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Together', {}, h.store);
      await user.sendAlbum(photos(10));
      await waitUntil('ten photos in', async () => (await photoCount(h.store, avatarId)) === 10);
      await waitForText(user, '10/20 photos. Ready to train');
      assert.is(botMessagesWith(user, 'Photos for Together').length, 1, 'one progress message per avatar');
    });

    test('an older count never stays drawn: an edit that waits out flood control is followed by the latest count', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Flood', {}, h.store);
      // The first photo's instance is told to wait a second before drawing "1/20"; the second
      // photo goes to the other instance, which draws "2/20" meanwhile.
      const editsBefore = h.tg.calls.filter((c) => c.method === 'editMessageText').length;
      h.tg.failNext('editMessageText', { errorCode: 429, retryAfter: 1, chatId: user.id });
      await user.sendPhoto(photo());
      await waitUntil('the first drawing refused', () => h.tg.calls.filter((c) => c.method === 'editMessageText').length > editsBefore);
      await user.sendPhoto(photo());
      await waitUntil('two photos in', async () => (await photoCount(h.store, avatarId)) === 2);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const [progress] = botMessagesWith(user, 'Photos for Flood');
      assert.ok(progress?.text?.includes('2/20 photos'), progress?.text);
    });
  },
  { modes: ['webhook'], instances: 2, answerWithinMs: 1 },
);
