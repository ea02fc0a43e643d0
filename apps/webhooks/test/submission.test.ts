import * as assert from 'uvu/assert';
import { waitFor } from '@avatar/fal-emulator/testing';
import { cancellation } from '@avatar/machine';
import { findInbound } from '@avatar/store';
import { unconfirmedSubmissionReason } from '../src/index.js';
import {
  avatarState,
  eventsOf,
  falEffects,
  finishJob,
  jobsOf,
  mustAccept,
  patience,
  readyAvatar,
  requestTraining,
  settledEffect,
  submittedRequestId,
  waitForJob,
  waitForStatus,
  worldSuites,
  type World,
} from './support.js';

const submitCalls = (world: World, avatarId: string) => world.fal.calls().filter((call) => call.route === 'submit' && call.path.includes(avatarId));

async function submitEffect(world: World, avatarId: string) {
  const effect = (await falEffects(world.store, avatarId)).find((row) => row.kind === 'SubmitTraining');
  if (effect === undefined) throw new Error('no SubmitTraining effect');
  return effect;
}

const settledSubmitEffect = (world: World, avatarId: string) => settledEffect(world.store, avatarId, 'SubmitTraining');

worldSuites('submitting to fal', { submitTimeoutMs: 1_500 }, (test) => {
  test('fal answering 5xx to a submit: retried later, and exactly one fal job exists', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    fal.failNextCalls('submit', { count: 2, status: 500 });
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');

    assert.equal(submitCalls(world, avatarId).map((call) => call.status), [500, 500, 200]);
    assert.equal(jobsOf(fal, avatarId, 'a1').map((job) => job.requestId), [requestId]);
    const effect = await settledSubmitEffect(world, avatarId);
    assert.is(effect.state, 'done');
    assert.is(effect.attempts, 3);
    await finishJob(fal, requestId);
    await waitForStatus(store, avatarId, 'completed');
  });

  test('a submit whose answer is lost starts no second job; the webhook\'s hint records it', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    fal.hangNextSubmit();
    await requestTraining(store, avatarId, 'a1');
    const job = await waitForJob(fal, avatarId, 'a1');
    // Several claims come and go while fal's answer is missing; none submits again.
    await waitFor('more claims of the effect', async () => (await submitEffect(world, avatarId)).attempts >= 4, patience);
    assert.is(submitCalls(world, avatarId).length, 1);
    assert.is(jobsOf(fal, avatarId, 'a1').length, 1);

    await finishJob(fal, job.requestId);
    const completed = await waitForStatus(store, avatarId, 'completed');
    assert.is(completed.context.lora?.falRequestId, job.requestId);
    const events = await eventsOf(store, avatarId);
    const submitted = events.find((event) => event.type === 'TrainingSubmitted');
    assert.equal(submitted?.data, { attemptId: 'a1', falRequestId: job.requestId, endpoint: 'fal-ai/flux-lora-portrait-trainer' });
    assert.equal(submitted?.metadata.actor, { kind: 'fal', requestId: job.requestId });
    assert.is((await settledSubmitEffect(world, avatarId)).state, 'done');
    assert.is(jobsOf(fal, avatarId, 'a1').length, 1);
  });

  test('a submission fal never confirms fails the attempt at the deadline; its late webhook changes nothing', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await world.restart({ trainingSubmissionDeadlineMs: 2_000 });
    fal.hangNextSubmit();
    await requestTraining(store, avatarId, 'a1');
    const failed = await waitForStatus(store, avatarId, 'failed');
    assert.equal(failed.context.failure, { attemptId: 'a1', reason: unconfirmedSubmissionReason, retryable: true });
    const orphan = (await waitForJob(fal, avatarId, 'a1')).requestId;
    await world.restart();

    await requestTraining(store, avatarId, 'a2');
    await finishJob(fal, await submittedRequestId(store, avatarId, 'a2'));
    await waitForStatus(store, avatarId, 'completed');

    await finishJob(fal, orphan);
    const inbound = await waitFor('the orphan job\'s webhook', () => findInbound(store.db, 'fal', orphan), patience);
    assert.is(inbound.outcome, 'unknown_request');
    assert.is(inbound.stream_id, avatarId);
    const state = await waitForStatus(store, avatarId, 'completed');
    assert.is(state.context.lora?.attemptId, 'a2');
  });

  test('a training cancelled while fal is being called leaves no fal job running', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    fal.hangNextSubmit({ answerAfterMs: 1_000 });
    await requestTraining(store, avatarId, 'a1');
    const job = await waitForJob(fal, avatarId, 'a1');
    await mustAccept(store, avatarId, cancellation(await avatarState(store, avatarId), 'changed my mind'));

    await waitFor('the fal job to be cancelled', () => fal.job(job.requestId).outcome === 'cancelled', patience);
    assert.is((await settledSubmitEffect(world, avatarId)).state, 'done');
    await waitForStatus(store, avatarId, 'cancelled');
  });

  test('a photo Telegram no longer has fails the attempt with a reason the user understands', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world, { brokenPhotos: 1 });
    await requestTraining(store, avatarId, 'a1');
    const failed = await waitForStatus(store, avatarId, 'failed');
    assert.match(failed.context.failure?.reason ?? '', /a photo can no longer be downloaded from Telegram .*replace it/);
    assert.is(failed.context.failure?.retryable, false);
    assert.is(jobsOf(fal, avatarId, 'a1').length, 0);
  });

  test('Telegram refusing a download for a moment: retried no sooner than it asked, then submitted once', async ({ world }) => {
    const { store, fal, tg } = world;
    const avatarId = await readyAvatar(world);
    tg.failNext('getFile', { count: 1, errorCode: 429, retryAfter: 3 });
    await requestTraining(store, avatarId, 'a1');
    const refused = await waitFor('the first download to be refused', async () => {
      const effect = await submitEffect(world, avatarId);
      return effect.last_error?.includes('Too Many Requests') ? effect : undefined;
    }, patience);
    // Telegram said 3 s; the worker's own backoff (100 ms here) must not cut that short.
    assert.ok(refused.available_at.getTime() - Date.now() > 2_000, `retried at ${refused.available_at.toISOString()}`);
    await submittedRequestId(store, avatarId, 'a1');
    assert.ok((await submitEffect(world, avatarId)).attempts >= 2);
    assert.is(jobsOf(fal, avatarId, 'a1').length, 1);
  });

  test('two instances share the outbox: every attempt is submitted exactly once', async ({ world }) => {
    const { store, fal } = world;
    const other = await world.startAnotherInstance();
    try {
      const avatarIds = [];
      for (let i = 0; i < 4; i++) avatarIds.push(await readyAvatar(world));
      await Promise.all(avatarIds.map((avatarId) => requestTraining(store, avatarId, 'a1')));
      for (const avatarId of avatarIds) {
        const requestId = await submittedRequestId(store, avatarId, 'a1');
        assert.equal(jobsOf(fal, avatarId, 'a1').map((job) => job.requestId), [requestId]);
        assert.is(submitCalls(world, avatarId).length, 1);
      }
    } finally {
      await other.stop();
    }
  });

  test('fal refusing the submission fails the attempt for good, with fal\'s reason', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    fal.failNextCalls('submit', { status: 422 });
    await requestTraining(store, avatarId, 'a1');
    const failed = await waitForStatus(store, avatarId, 'failed');
    assert.equal(failed.context.failure, { attemptId: 'a1', reason: 'Unprocessable Entity', retryable: false });
    assert.is(jobsOf(fal, avatarId, 'a1').length, 0);
    assert.is((await settledSubmitEffect(world, avatarId)).state, 'done');
  });
});
