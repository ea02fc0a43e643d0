import * as assert from 'uvu/assert';
import { waitFor } from '@avatar/fal-emulator/testing';
import { trainingStageOf } from '@avatar/machine';
import { findInbound } from '@avatar/store';
import {
  avatarState,
  eventsOf,
  finishJob,
  patience,
  readyAvatar,
  requestTraining,
  submittedRequestId,
  typesOf,
  waitForStatus,
  worldSuites,
} from './support.js';

const reconcileSoon = { reconcileAfterMs: 200, reconcileEveryMs: 200 };
const reconcileLate = { reconcileAfterMs: 600_000 };

worldSuites('reconciliation with fal', { timings: reconcileSoon }, (test) => {
  test('a lost webhook: the reconciler records the stage once and then the result', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');
    await waitFor('the running stage', async () => trainingStageOf(await avatarState(store, avatarId)) === 'running', patience);

    fal.dropNextWebhook(requestId);
    await finishJob(fal, requestId);
    await waitForStatus(store, avatarId, 'completed');
    assert.ok(fal.job(requestId).webhook.dropped);
    assert.is(await findInbound(store.db, 'fal', requestId), undefined);

    const events = await eventsOf(store, avatarId);
    assert.equal(events.at(-1)?.metadata.actor, { kind: 'system', component: 'fal-reconciler' });
    const progressed = events.filter((event) => event.type === 'TrainingProgressed');
    assert.is(progressed.length, 1, 'the stage is recorded when it changes, not on every poll');
    assert.is(progressed[0]?.data.falStatus, 'IN_PROGRESS');
  });

  test('a result fal no longer has fails the attempt', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    fal.expireResult(await submittedRequestId(store, avatarId, 'a1'));
    const failed = await waitForStatus(store, avatarId, 'failed');
    assert.equal(failed.context.failure, { attemptId: 'a1', reason: 'fal no longer has the result', retryable: true });
  });

  // In order, a1's success arrives while a2 trains; reversed, after a2 completed.
  const refusals = { as_sent: 'attempt_mismatch', reversed: 'not_accepted_in_status' } as const;
  for (const order of ['as_sent', 'reversed'] as const) {
    test(`late webhooks (${order}): a success for an earlier failed attempt changes nothing`, async ({ world }) => {
      const { store, fal } = world;
      const avatarId = await readyAvatar(world);
      await requestTraining(store, avatarId, 'a1');
      const first = await submittedRequestId(store, avatarId, 'a1');
      fal.expireResult(first);
      await waitForStatus(store, avatarId, 'failed');

      // From here on only webhooks report results.
      await world.restart(reconcileLate);
      await requestTraining(store, avatarId, 'a2');
      const second = await submittedRequestId(store, avatarId, 'a2');
      fal.holdWebhooks();
      await finishJob(fal, first);
      await finishJob(fal, second);
      await fal.releaseWebhooks(order);

      const completed = await waitForStatus(store, avatarId, 'completed');
      assert.is(completed.context.lora?.falRequestId, second);
      const late = await waitFor('the late webhook', () => findInbound(store.db, 'fal', first), patience);
      assert.is(late.outcome, 'rejected');
      assert.is((late.detail as { rejection?: { code?: string } } | null)?.rejection?.code, refusals[order]);
      assert.is((await findInbound(store.db, 'fal', second))?.outcome, 'applied');
      const types = await typesOf(store, avatarId);
      assert.is(types.filter((type) => type === 'TrainingCompleted').length, 1);
      await world.restart(reconcileSoon);
    });
  }

  test('a restart of the app and its workers mid-training still completes the avatar', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await requestTraining(store, avatarId, 'a1');
    const requestId = await submittedRequestId(store, avatarId, 'a1');

    await world.stop();
    await finishJob(fal, requestId);
    await waitFor('a failed delivery to the stopped app', () => fal.job(requestId).webhook.attempts.length > 0, patience);
    await world.start();
    await waitForStatus(store, avatarId, 'completed');
  });

  test('a training requested while the app is down is submitted once it is back', async ({ world }) => {
    const { store, fal } = world;
    const avatarId = await readyAvatar(world);
    await world.stop();
    await requestTraining(store, avatarId, 'a1');
    await world.start();
    await finishJob(fal, await submittedRequestId(store, avatarId, 'a1'));
    await waitForStatus(store, avatarId, 'completed');
  });
});
