import * as assert from 'uvu/assert';
import { waitFor } from '@avatar/fal-emulator/testing';
import { cancellation } from '@avatar/machine';
import { findInbound } from '@avatar/store';
import {
  avatarState,
  eventsOf,
  finishJob,
  jobsOf,
  mustAccept,
  patience,
  readyAvatar,
  requestTraining,
  settledEffect,
  submittedRequestId,
  typesOf,
  waitForStatus,
  worldSuites,
} from './support.js';

worldSuites('training on fal', { timings: { cancelAttempts: 3 } }, (test) => {
  test('a training runs to completed through fal\'s webhook, with the photos from Telegram', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');

    const job = fal.job(requestId);
    const { triggerPhrase } = (await avatarState(store, avatarId)).context;
    assert.is(job.endpoint, 'fal-ai/flux-lora-portrait-trainer');
    assert.is((job.input as { trigger_phrase: string }).trigger_phrase, triggerPhrase);
    await finishJob(fal, requestId);
    // The emulated trainer unzipped the uploaded archive and found the ten photos in it.
    assert.is(fal.job(requestId).outcome, 'succeeded');

    const completed = await waitForStatus(store, avatarId, 'completed');
    assert.match(completed.context.lora?.loraUrl ?? '', new RegExp(`^${fal.url}/files/`));
    const events = await eventsOf(store, avatarId);
    assert.equal(events.slice(-3).map((e) => e.type), ['TrainingRequested', 'TrainingSubmitted', 'TrainingCompleted']);
    assert.equal(events.at(-1)?.metadata.actor, { kind: 'fal', requestId });
    assert.is((await findInbound(store.db, 'fal', requestId))?.outcome, 'applied');
    assert.is(jobsOf(fal, avatarId, 'a1').length, 1);
    assert.is((await settledEffect(store, avatarId, 'SubmitTraining')).state, 'done');

    // The projector made the first completed avatar its owner's main one.
    const ownerId = completed.context.ownerId;
    await waitFor(
      'the owner profile',
      async () => (await store.db.selectFrom('owner_profiles').selectAll().where('owner_id', '=', ownerId).executeTakeFirst())?.main_avatar_id === avatarId,
      patience,
    );
  });

  test('a model error fails the attempt with fal\'s reason; a retry with the same photos completes', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    fal.failJob({ detail: 'Too few faces were found in the photos' });
    await requestTraining(store, avatarId, 'a1');
    await finishJob(fal, await submittedRequestId(store, avatarId, 'a1'));

    const failed = await waitForStatus(store, avatarId, 'failed');
    assert.equal(failed.context.failure, { attemptId: 'a1', reason: 'Too few faces were found in the photos', retryable: false });
    assert.is(failed.context.lora, null);

    await requestTraining(store, avatarId, 'a2');
    await finishJob(fal, await submittedRequestId(store, avatarId, 'a2'));
    const completed = await waitForStatus(store, avatarId, 'completed');
    assert.is(completed.context.lora?.attemptId, 'a2');
    assert.is(jobsOf(fal, avatarId, 'a1').length, 1);
    assert.is(jobsOf(fal, avatarId, 'a2').length, 1);
  });

  test('a duplicated webhook is applied once', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');
    fal.duplicateNextWebhook(requestId);
    await finishJob(fal, requestId);

    await waitFor('both deliveries answered', () => fal.job(requestId).webhook.attempts.length === 2, patience);
    assert.equal(fal.job(requestId).webhook.attempts.map((a) => a.status), [200, 200]);
    await waitForStatus(store, avatarId, 'completed');
    assert.is((await typesOf(store, avatarId)).filter((type) => type === 'TrainingCompleted').length, 1);
  });

  test('cancelling a running training cancels the fal job; its late callback changes nothing', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');
    await mustAccept(store, avatarId, cancellation(await avatarState(store, avatarId), 'changed my mind'));

    // The CancelFalRequest effect stops the job; fal then reports it as a client-cancelled error.
    await waitFor('the fal job to be cancelled', () => fal.job(requestId).outcome === 'cancelled', patience);
    const inbound = await waitFor('the cancelled job\'s webhook', () => findInbound(store.db, 'fal', requestId), patience);
    assert.is(inbound.outcome, 'rejected');
    assert.is(inbound.stream_id, avatarId);
    await waitForStatus(store, avatarId, 'cancelled');
    assert.is((await typesOf(store, avatarId)).at(-1), 'TrainingCancelled');
    assert.is((await settledEffect(store, avatarId, 'CancelFalRequest')).state, 'done');
  });

  test('a cancel fal keeps failing is given up after a few tries, with the error kept', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');
    fal.failNextCalls('cancel', { count: 3, status: 500 });
    await mustAccept(store, avatarId, cancellation(await avatarState(store, avatarId), 'changed my mind'));

    const cancel = await settledEffect(store, avatarId, 'CancelFalRequest');
    assert.is(cancel.state, 'dead');
    assert.is(cancel.attempts, 3);
    assert.match(cancel.last_error ?? '', /HTTP 500/);
    assert.is(fal.job(requestId).status, 'IN_PROGRESS');
    await waitForStatus(store, avatarId, 'cancelled');
  });

  test('a success fal sends after the training was cancelled changes nothing', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');
    fal.holdWebhooks();
    await finishJob(fal, requestId);
    await mustAccept(store, avatarId, cancellation(await avatarState(store, avatarId), 'changed my mind'));
    assert.is((await settledEffect(store, avatarId, 'CancelFalRequest')).state, 'done');

    await fal.releaseWebhooks();
    const inbound = await waitFor('the late webhook', () => findInbound(store.db, 'fal', requestId), patience);
    assert.is(inbound.outcome, 'rejected');
    assert.match(JSON.stringify(inbound.detail), /TrainingCompleted/);
    const state = await waitForStatus(store, avatarId, 'cancelled');
    assert.is(state.context.lora, null);
    assert.is((await typesOf(store, avatarId)).at(-1), 'TrainingCancelled');
  });
});
