import type { FalGateway } from '@avatar/fal';
import type { ClaimedEffect, Store } from '@avatar/store';
import type { TelegramFiles } from '@avatar/telegram-files';
import type { Logger } from 'pino';
import type { FalWorkerTimings } from './timings.js';

/** What every fal worker needs; nothing here outlives a restart except what is in the database. */
export interface FalWorkerContext {
  store: Store;
  fal: FalGateway;
  telegramFiles: TelegramFiles;
  publicUrl: string;
  hintSecret: string;
  timings: FalWorkerTimings;
  logger: Logger;
}

/** One claimed effect being carried out, with its own logger. */
export interface EffectRun extends FalWorkerContext {
  claim: ClaimedEffect;
  log: Logger;
  /** When this claim started (ms since the epoch): its lease runs from here. */
  claimedAt: number;
}

/** How a claim ended: the effect is done, comes back later, or is given up for good. */
export type EffectVerdict =
  | { kind: 'done' }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'abandon'; error: string };

export const done: EffectVerdict = { kind: 'done' };
