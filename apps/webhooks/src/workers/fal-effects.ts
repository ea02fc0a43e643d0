import { effectTopic, type Effect, type EffectKind, type EffectOf } from '@avatar/machine';
import { abandonEffect, claimEffects, completeEffect, retryEffect, type ClaimedEffect } from '@avatar/store';
import { cancelFalRequest } from './cancel-request.js';
import type { EffectRun, EffectVerdict, FalWorkerContext } from './context.js';
import { submitGeneration } from './submit-generation.js';
import { submitTraining } from './submit-training.js';
import { retryDelay } from './timings.js';

/** The effect kinds the machine sends to fal; a new one fails type-checking until it has a handler. */
export type FalEffectKind = { [K in EffectKind]: (typeof effectTopic)[K] extends 'fal' ? K : never }[EffectKind];
type FalEffect = EffectOf<FalEffectKind>;

const handlers: { [K in FalEffectKind]: (effect: EffectOf<K>, run: EffectRun) => Promise<EffectVerdict> } = {
  SubmitTraining: submitTraining,
  SubmitGeneration: submitGeneration,
  CancelFalRequest: cancelFalRequest,
};

function isFalEffect(effect: Effect): effect is FalEffect {
  return effectTopic[effect.kind] === 'fal';
}

function handle(effect: FalEffect, run: EffectRun): Promise<EffectVerdict> {
  // The map pairs every kind with its handler; TypeScript cannot follow that pairing through the union.
  const handler = handlers[effect.kind] as (effect: FalEffect, run: EffectRun) => Promise<EffectVerdict>;
  return handler(effect, run);
}

/**
 * One round of the fal outbox: claims due effects (FOR UPDATE SKIP LOCKED, with a lease, so any
 * number of instances share them) and carries them out side by side. Returns how many it claimed.
 */
export async function runFalEffectsOnce(context: FalWorkerContext): Promise<number> {
  const { store, timings } = context;
  const claims = await claimEffects(store.db, 'fal', { limit: timings.effectBatchSize, leaseMs: timings.effectLeaseMs });
  await Promise.all(claims.map((claim) => carryOut(context, claim)));
  return claims.length;
}

async function carryOut(context: FalWorkerContext, claim: ClaimedEffect): Promise<void> {
  const log = context.logger.child({ effectId: claim.id, effect: claim.effect.kind, streamId: claim.streamId, claims: claim.attempts });
  const { effect } = claim;
  let verdict: EffectVerdict;
  try {
    verdict = isFalEffect(effect)
      ? await handle(effect, { ...context, claim, log, claimedAt: Date.now() })
      : { kind: 'abandon', error: `${effect.kind} is not a fal effect` };
  } catch (error) {
    log.error({ err: error }, 'carrying out the effect failed; it will be retried');
    verdict = { kind: 'retry', delayMs: retryDelay(context.timings, claim.attempts), error: error instanceof Error ? error.message : String(error) };
  }
  const { db } = context.store;
  switch (verdict.kind) {
    case 'done':
      return completeEffect(db, claim.id);
    case 'retry':
      log.info({ delayMs: verdict.delayMs, reason: verdict.error }, 'the effect will be tried again');
      return retryEffect(db, claim.id, { delayMs: verdict.delayMs, error: verdict.error });
    case 'abandon':
      log.error({ reason: verdict.error }, 'the effect is given up');
      return abandonEffect(db, claim.id, verdict.error);
  }
}
