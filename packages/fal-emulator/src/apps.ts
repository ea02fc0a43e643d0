import type { z } from 'zod';
import type { FileStore } from './files.js';
import { errorDetails, type ErrorDetail } from './input-errors.js';
import type { JobOutcome } from './outcomes.js';

/** What a running job may use: the CDN, downloads of input URLs, the seed source. */
export interface RunContext {
  files: FileStore;
  /** The bytes at a URL, or null when it cannot be downloaded. */
  download(url: string): Promise<Uint8Array | null>;
  nextSeed(): bigint;
}

export type Admission =
  | { ok: true; run: (context: RunContext) => Promise<JobOutcome> }
  | { ok: false; detail: ErrorDetail[] };

/** One fal application (`owner/alias`): its input schema, checked at submit, and what it does. */
export interface FalApp {
  id: string;
  kind: 'training' | 'generation';
  admit(body: unknown): Admission;
}

export function defineApp<T>(
  id: string,
  kind: FalApp['kind'],
  schema: z.ZodType<T>,
  run: (input: T, context: RunContext) => Promise<JobOutcome>,
): FalApp {
  return {
    id,
    kind,
    admit(body) {
      const parsed = schema.safeParse(body, { reportInput: true });
      if (!parsed.success) return { ok: false, detail: errorDetails(parsed.error.issues) };
      const input = parsed.data;
      return { ok: true, run: (context) => run(input, context) };
    },
  };
}
