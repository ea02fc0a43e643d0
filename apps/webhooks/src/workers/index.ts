import { ownerProfiles, runProjectorOnce, settleReservationsOnce } from '@avatar/store';
import { startLoop } from '@avatar/workers';
import type { FalWorkerContext } from './context.js';
import { runFalEffectsOnce } from './fal-effects.js';
import { reconcileOnce } from './reconciler.js';
import { productionTimings, type FalWorkerTimings } from './timings.js';

export type FalWorkersDeps = Omit<FalWorkerContext, 'timings'> & { timings?: Partial<FalWorkerTimings> };

/**
 * The webhook app's background work: the fal outbox (submit, cancel), the reconciler (what fal
 * says about requests whose webhook has not come), the wallet outbox (each ended attempt or
 * generation captures or refunds its credits), and the owner-profiles projector. Each is a
 * loop over database rows, so instances can be added, stopped and restarted freely.
 */
export function startFalWorkers(deps: FalWorkersDeps): { stop(): Promise<void> } {
  const context: FalWorkerContext = { ...deps, timings: { ...productionTimings, ...deps.timings } };
  const { store, timings, logger } = context;
  const loops = [
    startLoop({
      name: 'fal-effects',
      run: () => runFalEffectsOnce(context),
      idleMs: timings.effectPollMs,
      wake: { emitter: store.signals, event: 'outbox:fal' },
      logger,
    }),
    startLoop({ name: 'fal-reconciler', run: () => reconcileOnce(context), idleMs: timings.reconcilePollMs, logger }),
    startLoop({
      name: 'wallet-settlements',
      run: async () => {
        const { settled, skipped } = await settleReservationsOnce(store, { leaseMs: timings.settlementLeaseMs });
        return settled + skipped;
      },
      idleMs: timings.effectPollMs,
      wake: { emitter: store.signals, event: 'outbox:wallet' },
      logger,
    }),
    startLoop({ name: 'owner-profiles', run: () => runProjectorOnce(store, ownerProfiles), idleMs: timings.projectorPollMs, logger }),
  ];
  return {
    stop: async () => {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

export { productionTimings, type FalWorkerTimings } from './timings.js';
