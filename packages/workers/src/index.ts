import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoopLogger {
  error(details: object, message: string): void;
}

export interface LoopOptions {
  name: string;
  /** One round of work; returns how much it did. A round that did something is followed at once. */
  run(): Promise<number>;
  /** Pause after an idle round. */
  idleMs: number;
  /** In-process signal (e.g. store.signals, "outbox:fal") that ends an idle pause early. */
  wake?: { emitter: EventEmitter; event: string };
  logger: LoopLogger;
}

export interface Loop {
  /** Finishes the round in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * A polling worker loop. Everything a round needs lives in the database, so loops hold no state a
 * restart could lose; the wake-up only shortens the wait when this process produced the work.
 * Errors are logged and the loop backs off (up to 30 s) instead of dying.
 */
export function startLoop({ name, run, idleMs, wake, logger }: LoopOptions): Loop {
  let stopping = false;
  let interrupt: AbortController | undefined;
  const onWake = () => interrupt?.abort();
  wake?.emitter.on(wake.event, onWake);

  const done = (async () => {
    let failures = 0;
    while (!stopping) {
      let pause = idleMs;
      try {
        const worked = await run();
        failures = 0;
        if (worked > 0) continue;
      } catch (error) {
        failures += 1;
        pause = Math.min(30_000, idleMs * 2 ** failures);
        logger.error({ err: error, loop: name, failures }, `${name} failed; retrying in ${pause} ms`);
      }
      if (stopping) break;
      interrupt = new AbortController();
      await sleep(pause, undefined, { signal: interrupt.signal }).catch(() => {});
      interrupt = undefined;
    }
  })();

  return {
    async stop() {
      stopping = true;
      interrupt?.abort();
      wake?.emitter.off(wake.event, onWake);
      await done;
    },
  };
}
