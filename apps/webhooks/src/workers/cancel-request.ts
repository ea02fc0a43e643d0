import { FalRejected } from '@avatar/fal';
import type { EffectOf } from '@avatar/machine';
import { done, type EffectRun, type EffectVerdict } from './context.js';
import { retryDelay } from './timings.js';

/** Stops a fal job nobody will use (its training was cancelled or its avatar deleted). */
export async function cancelFalRequest(effect: EffectOf<'CancelFalRequest'>, run: EffectRun): Promise<EffectVerdict> {
  const { claim, log, timings } = run;
  try {
    const answer = await run.fal.cancel(effect.endpoint, effect.falRequestId);
    log.info({ falRequestId: effect.falRequestId, answer }, 'cancelled the fal request');
    return done;
  } catch (error) {
    if (error instanceof FalRejected && error.httpStatus === 404) {
      log.info({ falRequestId: effect.falRequestId, reason: error.reason }, 'fal no longer knows the request; nothing to cancel');
      return done;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (claim.attempts >= timings.cancelAttempts) return { kind: 'abandon', error: message };
    return { kind: 'retry', delayMs: retryDelay(timings, claim.attempts), error: message };
  }
}
