import { dispatch, isChatUnreachable, loadAvatar, readStream, type Store } from '@avatar/store';
import type { TelegramEmulator } from '@avatar/telegram-emulator';
import * as assert from 'uvu/assert';
import { botSuites } from './harness.js';
import { hasButton, press, seedAvatar, waitForText, waitUntil } from './helpers.js';
import { startImageServer, type ImageServer } from './image-server.js';
import { completeTraining, failTraining, finishedGeneration } from './training.js';

let images: ImageServer;

async function outboxRows(h: { store: Store }, chatId: number) {
  const rows = await h.store.db.selectFrom('outbox').selectAll().where('topic', '=', 'telegram').execute();
  return rows.filter((row) => (row.payload as { chatId?: number }).chatId === chatId);
}

/** The sendMessage calls to a chat since the `from`-th Bot API call. */
const sendsTo = (h: { tg: TelegramEmulator }, chatId: number, from: number) =>
  h.tg.calls.slice(from).filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId));

botSuites('notifications', (test) => {
  test.before(async () => {
    images = await startImageServer();
  });
  test.after(async () => {
    await images.close();
  });

  test('training done: a NEW message with [Generate], which leads to a prompt, an aspect ratio and an album with [Again]', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Nova', photos: 10 });
    await press(user, '📋 My avatars');
    await press(user, 'Nova');
    await press(user, '🚀 Start training');
    const card = await waitForText(user, 'Status: training');

    await completeTraining(h.store, avatarId);
    const done = await waitForText(user, '🎉 Nova is ready!');
    assert.is.not(done.messageId, card.messageId, 'completion is a new message');
    await waitUntil('the training card drops its [Cancel]', () => !hasButton('✖️ Cancel')(user.messagesFromBot().find((m) => m.messageId === card.messageId)!));

    await press(user, '🎨 Generate', { messageId: done.messageId });
    await waitForText(user, 'Describe the picture of Nova');
    await user.sendText('astronaut <b>cat</b> *on* _mars_');
    await waitForText(user, 'Choose the shape of the picture');
    assert.is((await press(user, '3:4')).text, 'Drawing…');
    await waitForText(user, '🎨 Drawing astronaut <b>cat</b> *on* _mars_ (3:4)…');
    await waitUntil('a chat action while drawing', () => user.transcript().some((e) => e.kind === 'chat_action' && e.action === 'upload_photo'));

    const generations = await h.store.db.selectFrom('generations').selectAll().where('avatar_id', '=', avatarId).execute();
    assert.is(generations.length, 1);
    assert.is(generations[0]!.aspect_ratio, '3:4');
    const generationId = generations[0]!.generation_id;
    await finishedGenerationFor(h, generationId, [images.url('a'), images.url('b')]);

    const album = await user.waitForBotMessage((m) => m.kind === 'album', { timeoutMs: 20_000 });
    assert.is(album.items?.length, 2);
    assert.is(album.text, 'astronaut <b>cat</b> *on* _mars_', 'the prompt is the caption, verbatim');
    const after = await waitForText(user, 'Here you are!');
    assert.ok(hasButton('🔁 Again')(after) && hasButton('✏️ New description')(after));
    await press(user, '🔁 Again', { messageId: after.messageId });
    await waitUntil('a second generation', async () => (await h.store.db.selectFrom('generations').select('prompt').where('avatar_id', '=', avatarId).execute()).length === 2);
    const again = await h.store.db.selectFrom('generations').selectAll().where('avatar_id', '=', avatarId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    assert.is(again.prompt, 'astronaut <b>cat</b> *on* _mars_');
    assert.is(again.aspect_ratio, '3:4');
  });

  test('one image arrives as a photo with its buttons; a failed generation says why and offers [Again]', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Solo', photos: 10 });
    await completeTraining(h.store, avatarId);
    await waitForText(user, '🎉 Solo is ready!');
    await finishedGeneration(h.store, avatarId, { imageUrls: [images.url('single')] }, { prompt: 'by the sea' });
    const single = await user.waitForBotMessage((m) => m.kind === 'photo');
    assert.is(single.text, 'by the sea');
    assert.ok(hasButton('🔁 Again')(single));
    await finishedGeneration(h.store, avatarId, { failure: 'NSFW content detected' });
    const failed = await waitForText(user, '😔 I could not draw this one: NSFW content detected');
    assert.ok(hasButton('🔁 Again')(failed) && hasButton('✏️ New description')(failed));
  });

  test('training failed: a NEW message with the reason, [Retry] and [Change photos]; [Retry] starts attempt 2', async ({ h }) => {
    const user = h.user({ languageCode: 'ru' });
    await user.sendCommand('/start');
    await waitForText(user, 'Привет');
    const avatarId = await seedAvatar(h.store, user, { name: 'Фея', photos: 10 });
    await press(user, '📋 Мои аватары');
    await press(user, 'Фея');
    await press(user, '🚀 Начать обучение');
    await waitForText(user, 'Статус: обучается');
    await failTraining(h.store, avatarId, 'face not found');
    const failed = await waitForText(user, '😔 Обучение Фея не удалось: face not found');
    assert.ok(hasButton('🔁 Обучить заново')(failed) && hasButton('📸 Поменять фото')(failed));
    await press(user, '🔁 Обучить заново', { messageId: failed.messageId });
    await waitUntil('a second attempt', async () => (await loadAvatar(h.store, avatarId))?.state?.context.attemptIds.length === 2);
    await waitForText(user, 'Статус: обучается (запускается)');
    assert.not.ok(hasButton('🔁 Обучить заново')(user.messagesFromBot().find((m) => m.messageId === failed.messageId)!), 'the tapped message drops [Retry]');
    assert.is((await readStream(h.store.db, avatarId)).filter((e) => e.type === 'TrainingRequested').length, 2);
  });

  test('blocked: a 403 marks the chat unreachable and the notification is not retried', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Gone', photos: 10 });
    h.tg.failNext('sendMessage', { errorCode: 403, description: 'Forbidden: bot was blocked by the user', chatId: user.id });
    const from = h.tg.calls.length;
    await completeTraining(h.store, avatarId);
    await waitUntil('the chat is marked unreachable', () => isChatUnreachable(h.store.db, user.id));
    await waitUntil('the effect is given up', async () => (await outboxRows(h, user.id)).every((row) => row.state === 'dead'));
    const rows = await outboxRows(h, user.id);
    assert.is(rows.length, 1);
    assert.is(rows[0]!.attempts, 1, 'no retries');
    assert.equal(sendsTo(h, user.id, from).map((c) => c.status), [403], 'one attempt, refused');
  });

  test('a user who blocked the bot gets nothing more; unblocking makes the chat reachable again', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Blocker', photos: 10 });
    user.blockBot();
    await waitUntil('the block is noticed', () => isChatUnreachable(h.store.db, user.id));
    const callsBefore = h.tg.calls.length;
    await failTraining(h.store, avatarId);
    await waitUntil('the effect is given up', async () => (await outboxRows(h, user.id)).every((row) => row.state === 'dead'));
    assert.is(h.tg.calls.slice(callsBefore).filter((c) => c.method === 'sendMessage').length, 0, 'not even tried');
    user.unblockBot();
    await waitUntil('reachable again', async () => !(await isChatUnreachable(h.store.db, user.id)));
  });

  test('flood control: a 429 waits retry_after and then delivers', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Patient', photos: 10 });
    h.tg.failNext('sendMessage', { errorCode: 429, retryAfter: 1, chatId: user.id });
    const from = h.tg.calls.length;
    await completeTraining(h.store, avatarId);
    await waitForText(user, '🎉 Patient is ready!');
    await waitUntil('the effect is done', async () => (await outboxRows(h, user.id)).every((row) => row.state === 'done'));
    assert.equal(sendsTo(h, user.id, from).map((c) => c.status), [429, 200], 'waited, then delivered');
    assert.is((await outboxRows(h, user.id))[0]!.attempts, 1, 'delivered within the first claim');
  });

  test('flood control longer than the bot waits in-line: the notifier retries after retry_after', async ({ h }) => {
    const user = h.user();
    await user.sendCommand('/start');
    await waitForText(user, 'Hi, ');
    const avatarId = await seedAvatar(h.store, user, { name: 'Later', photos: 10 });
    h.tg.failNext('sendMessage', { errorCode: 429, retryAfter: 4, chatId: user.id });
    await completeTraining(h.store, avatarId);
    await waitForText(user, '🎉 Later is ready!');
    await waitUntil('the effect is done', async () => (await outboxRows(h, user.id)).every((row) => row.state === 'done'));
    const [row] = await outboxRows(h, user.id);
    assert.is(row!.attempts, 2, 'delivered by the second claim');
    assert.is(row!.state, 'done');
  });
});

async function finishedGenerationFor(h: { store: Store }, generationId: string, urls: string[]) {
  const fal = { actor: { kind: 'fal' as const, requestId: 'test' } };
  await dispatch(h.store, generationId, { type: 'GenerationSubmitted', falRequestId: `gen-${generationId}`, endpoint: 'fal-ai/flux-lora' }, fal);
  await dispatch(h.store, generationId, { type: 'GenerationCompleted', images: urls.map((url) => ({ url, width: 768, height: 1024 })), seed: '98765432109876543210' }, fal);
}
