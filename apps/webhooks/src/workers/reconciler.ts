import { FalRejected, type FalQueueStatus } from '@avatar/fal';
import { avatarLifecycle, trainingStageOf, type EventOf } from '@avatar/machine';
import { claimDueFalRequests, dispatch, loadAvatar, type FalRequestRow } from '@avatar/store';
import type { Logger } from 'pino';
import { endingEvent } from '../outcome-events.js';
import type { FalWorkerContext } from './context.js';

const actor = { kind: 'system', component: 'fal-reconciler' } as const;
const progressLogLines = 20;

/**
 * One round of reconciliation: asks fal about unresolved requests old enough to have been
 * forgotten (a lost webhook, a restart), records a training's stage when it changes, and records
 * the outcome of a finished request. Any number of instances share the queue.
 */
export async function reconcileOnce(context: FalWorkerContext): Promise<number> {
  const { store, timings, logger } = context;
  const due = await claimDueFalRequests(store.db, {
    olderThanMs: timings.reconcileAfterMs,
    limit: timings.reconcileBatchSize,
    pollAgainInMs: timings.reconcileEveryMs,
  });
  for (const request of due) {
    const log = logger.child({ falRequestId: request.request_id, streamId: request.stream_id, kind: request.kind });
    try {
      await reconcile(context, request, log);
    } catch (error) {
      // The request stays unresolved, so its next poll tries again.
      log.warn({ err: error }, 'reconciling the fal request failed');
    }
  }
  return due.length;
}

async function reconcile(context: FalWorkerContext, request: FalRequestRow, log: Logger): Promise<void> {
  const status = await statusOf(context, request);
  if (status.state !== 'COMPLETED') {
    if (request.kind === 'training') await recordStage(context, request, status, log);
    return;
  }
  const result = await context.fal.result(request.endpoint, request.request_id);
  if (result.kind === 'still_running') return;
  const event = endingEvent(request, result);
  const outcome = await dispatch(context.store, request.stream_id, event, { actor });
  const detail = outcome.outcome === 'rejected' ? { rejection: outcome.rejection } : {};
  log.info({ eventType: event.type, outcome: outcome.outcome, ...detail }, `reconciled a finished fal request: ${outcome.outcome}`);
}

/** fal's status; a request fal no longer knows is asked for its result, which says so. */
async function statusOf(context: FalWorkerContext, request: FalRequestRow): Promise<FalQueueStatus> {
  try {
    return await context.fal.status(request.endpoint, request.request_id);
  } catch (error) {
    if (error instanceof FalRejected && error.httpStatus === 404) return { state: 'COMPLETED' };
    throw error;
  }
}

/** Records fal's queue status only when the machine says it moves the training to another stage. */
async function recordStage(
  context: FalWorkerContext,
  request: FalRequestRow,
  status: Exclude<FalQueueStatus, { state: 'COMPLETED' }>,
  log: Logger,
): Promise<void> {
  const state = (await loadAvatar(context.store, request.stream_id))?.state;
  if (!state || request.attempt_id === null) return;
  const event: EventOf<'TrainingProgressed'> =
    status.state === 'IN_QUEUE'
      ? { type: 'TrainingProgressed', attemptId: request.attempt_id, falStatus: 'IN_QUEUE', queuePosition: status.queuePosition }
      : { type: 'TrainingProgressed', attemptId: request.attempt_id, falStatus: 'IN_PROGRESS', logs: status.logs.slice(-progressLogLines) };
  const next = avatarLifecycle.decide(state, event);
  if (!next.ok || trainingStageOf(next.state) === trainingStageOf(state)) return;
  const outcome = await dispatch(context.store, request.stream_id, event, { actor });
  log.info({ falStatus: event.falStatus, outcome: outcome.outcome }, 'recorded the training stage fal reports');
}
