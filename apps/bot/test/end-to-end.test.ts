import type { FalEmulator } from '@avatar/fal-emulator';
import { loadAvatar, type Store } from '@avatar/store';
import * as assert from 'uvu/assert';
import { startFalSide } from './fal-side.js';
import { botSuites } from './harness.js';
import { createAvatarInChat, eventTypes, hasButton, photo, photos, press, waitForText, waitUntil } from './helpers.js';

let fal: FalEmulator;

const trainings = () => fal.jobs().filter((job) => job.endpoint.includes('trainer') || job.endpoint.includes('training'));
const generations = () => fal.jobs().filter((job) => job.endpoint === 'fal-ai/flux-lora');
async function waitUntilValue<T>(what: string, read: () => Promise<T | null | undefined>): Promise<T> {
  let value: T | null | undefined;
  await waitUntil(what, async () => {
    value = await read();
    return value !== null && value !== undefined;
  });
  return value as T;
}

/** fal finishes the attempt in flight as soon as it has been submitted. */
async function finishTraining(store: Store, avatarId: string): Promise<void> {
  const requestId = await waitUntilValue('the training is submitted to fal', async () => (await loadAvatar(store, avatarId))?.state?.context.attempt?.falRequestId);
  while ((await fal.advance(requestId)) !== 'COMPLETED');
}

const input = (job: { input: unknown }) => job.input as Record<string, unknown>;

/** The whole journey against fal's side as it runs in production: emulator, signed webhooks, workers. */
botSuites(
  'end to end with fal',
  (test) => {
    test.before(async ({ h }) => {
      // Trainings run until a test finishes them, so nothing depends on how fast this machine is.
      fal = await startFalSide(h, { trainingMs: 600_000 });
    });

    test('create, upload, train once, get told, generate 3:4 with the trigger phrase, get an album, again', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Ann_*', {}, h.store);
      await user.sendAlbum(photos(10));
      await user.sendDocument(photo(800, 1000), { fileName: 'extra.png' });
      const progress = await waitForText(user, '11/20 photos');
      const taps = await Promise.all([
        user.tap('🚀 Start training', { messageId: progress.messageId }),
        user.tap('🚀 Start training', { messageId: progress.messageId }),
      ]);
      assert.ok(taps.some((t) => t.text === 'Training started'));
      await finishTraining(h.store, avatarId);

      const ready = await waitForText(user, '🎉 Ann_* is ready!', 60_000);
      assert.is(trainings().length, 1, 'exactly one fal training job');
      const training = trainings()[0]!;
      assert.is(training.endpoint, 'fal-ai/flux-lora-portrait-trainer');
      const state = (await loadAvatar(h.store, avatarId))!.state!;
      assert.is(input(training).trigger_phrase, state.context.triggerPhrase);

      await press(user, '🎨 Generate', { messageId: ready.messageId });
      await waitForText(user, 'Describe the picture of Ann_*');
      await user.sendText('in a red coat, *snow*');
      await press(user, '3:4');
      const album = await user.waitForBotMessage((m) => m.kind === 'album', { timeoutMs: 60_000 });
      assert.is(album.items?.length, 2);
      assert.ok(album.items!.every((item) => item.photo !== undefined), 'the images arrive as photos');
      assert.is(album.text, 'in a red coat, *snow*');
      const [generation] = generations();
      assert.is(input(generation!).image_size, 'portrait_4_3', '3:4 is portrait, not square');
      assert.is(input(generation!).prompt, `${state.context.triggerPhrase}, in a red coat, *snow*`, 'generated with the trigger phrase it was trained with');
      assert.is((input(generation!).loras as { path: string }[])[0]!.path, state.context.lora!.loraUrl);

      const after = await user.waitForBotMessage(hasButton('🔁 Again'));
      await press(user, '🔁 Again', { messageId: after.messageId });
      await waitUntil('a second album', () => user.messagesFromBot().filter((m) => m.kind === 'album').length === 2, 60_000);
      assert.is(generations().length, 2);
      assert.equal(h.tg.unansweredCallbacks(), []);
    });

    test('a failed training says why, offers [Retry]; the retry trains again and succeeds', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Retry', {}, h.store);
      await user.sendAlbum(photos(10));
      await waitForText(user, '10/20 photos');
      fal.failJob({ detail: 'Could not find a face in enough images' });
      await press(user, '🚀 Start training');
      await finishTraining(h.store, avatarId);
      const failed = await waitForText(user, '😔 Training Retry failed:', 60_000);
      assert.match(failed.text!, 'Could not find a face');
      assert.ok(hasButton('📸 Change photos')(failed));
      await press(user, '🔁 Retry training', { messageId: failed.messageId });
      await finishTraining(h.store, avatarId);
      await waitForText(user, '🎉 Retry is ready!', 60_000);
      const types = await eventTypes(h.store, avatarId);
      assert.equal(types.filter((t) => t === 'TrainingRequested').length, 2);
      assert.equal(types.slice(-1), ['TrainingCompleted']);
    });

    test('progress shows the stage fal reports; cancelling a training that fal is running stops it', async ({ h }) => {
      const user = h.user();
      const avatarId = await createAvatarInChat(user, 'Halt', {}, h.store);
      await user.sendAlbum(photos(10));
      await waitForText(user, '10/20 photos');
      await press(user, '🚀 Start training');
      const requestId = await waitUntilValue('the training is submitted to fal', async () => (await loadAvatar(h.store, avatarId))?.state?.context.attempt?.falRequestId);
      assert.is((await press(user, '🔄 Refresh')).text, undefined);
      await waitForText(user, 'Status: training (queued)');
      await press(user, '✖️ Cancel');
      await press(user, 'Yes, cancel');
      await waitForText(user, 'Status: cancelled');
      await waitUntil('fal cancels the job', () => fal.job(requestId).outcome === 'cancelled', 60_000);
      assert.equal((await eventTypes(h.store, avatarId)).filter((t) => t.startsWith('Training')).slice(-1), ['TrainingCancelled']);
      assert.not.ok(user.messagesFromBot().some((m) => m.text?.includes('Halt is ready')), 'a cancelled training never reports ready');
    });
  },
  { modes: ['polling', 'webhook'] },
);
