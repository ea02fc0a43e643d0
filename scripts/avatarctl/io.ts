import type { Readable, Writable } from 'node:stream';
import type { Store } from '@avatar/store';

/** What a command needs from the outside world; tests pass their own. */
export interface CliContext {
  out: Writable;
  err: Writable;
  /** Opens the database the command works on (from DATABASE_URL / PGLITE_DATA_DIR in main.ts). */
  openStore(): Promise<Store>;
  /** Reads an input file (import). */
  openInput(path: string): Promise<Readable>;
  /** Creates an output file (export --out). */
  openOutput(path: string): Promise<Writable>;
  /** The settings a command reads (TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, USER); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** HTTP for commands that call out (refund-stars calls the Bot API); default the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export function envOf(ctx: CliContext): Readonly<Record<string, string | undefined>> {
  return ctx.env ?? process.env;
}

export function fetchOf(ctx: CliContext): typeof globalThis.fetch {
  return ctx.fetch ?? globalThis.fetch;
}

/** Exit codes: 0 all well, 1 anomalies found, 2 usage or I/O error. */
export const exitCode = { ok: 0, anomalies: 1, failure: 2 } as const;
export type ExitCode = (typeof exitCode)[keyof typeof exitCode];

export class UsageError extends Error {
  override name = 'UsageError';
}

export function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
