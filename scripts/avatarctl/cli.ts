import { parseArgs } from 'node:util';
import { DatabaseUnavailableError, ImportError, MigrationFailedError, RebuildInProgressError } from '@avatar/store';
import { exportLog, importLog, migrate, rebuild } from './commands/log.js';
import { replay } from './commands/replay.js';
import { status } from './commands/status.js';
import { refundStars, wallet } from './commands/wallet.js';
import { exitCode, line, UsageError, type CliContext, type ExitCode } from './io.js';
import { TelegramConfigError } from './telegram.js';
import { ownerIdOf } from './wallet-report.js';

export const usage = `avatarctl: inspect and repair the avatar event log

Usage:
  avatarctl migrate                          apply pending database migrations
  avatarctl status <streamId>                an avatar's read-model row and machine state (and its
                                             owner's credits), or a wallet's (wallet-<userId>) sums
                                             beside its read-model row
  avatarctl replay <streamId> [--at <v|time>] [--json]
                                             fold a stream (an avatar, a generation, a wallet-<userId>)
                                             through the current machine and print its timeline and
                                             anomalies
  avatarctl replay --all [--at <v|time>] [--json]
                                             replay every stream; print the anomalies
  avatarctl wallet <userId> [--json]         the user's credits: balance, reserved, available, open
                                             reservations and what each pays for, top-ups, and the
                                             wallet's replayed timeline with the balance after each event
  avatarctl refund-stars <userId> <chargeId> [--json]
                                             refund a Telegram Stars top-up: take its credits back
                                             (refused if the charge is unknown or its credits are
                                             spent or reserved: then Telegram is not called), then
                                             call refundStarPayment on the Bot API. Idempotent:
                                             re-run it to retry a failed Telegram refund
  avatarctl rebuild                          rebuild every projection from the log (online, locked)
  avatarctl export [--stream <id>] [--out <file>]
                                             write events as NDJSON (stdout by default)
  avatarctl import <file>                    append a recorded NDJSON log exactly as given
                                             (all or nothing; runs no side effects)

Anomalies: rejected (the current machine refuses the event in the state it finds), error (the
machine failed), projection_drift (the read model disagrees with the replayed state),
wallet_invariant (a wallet's sums do not add up, or a reservation stays open for an attempt or a
generation that has ended with no settlement on the way).

Database: DATABASE_URL (Postgres), else the embedded PGlite in PGLITE_DATA_DIR (./data/pglite);
DATABASE_SCHEMA confines either to one schema.
Telegram (refund-stars): TELEGRAM_BOT_TOKEN, and TELEGRAM_API_ROOT (default https://api.telegram.org).

Exit codes: 0 ok, 1 anomalies found, 2 usage or I/O error. refund-stars exits 1 when it is refused
(nothing changed) or Telegram failed (re-run it), 2 when the Telegram settings are missing or wrong.`;

function positional(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

function userIdArgument(positionals: string[], index: number): number {
  const text = positional(positionals, index, 'user id');
  const ownerId = ownerIdOf(text);
  if (ownerId === null) throw new UsageError(`a user id is a Telegram user id (a positive whole number), got "${text}"`);
  return ownerId;
}

function chargeIdArgument(positionals: string[], index: number): string {
  const chargeId = positional(positionals, index, 'Telegram payment charge id');
  if (chargeId.trim() === '' || chargeId.length > 256 || /[\u0000-\u001f\u007f]/.test(chargeId)) {
    throw new UsageError('a Telegram payment charge id has 1 to 256 characters, none of them control characters');
  }
  return chargeId;
}

async function dispatchCommand(ctx: CliContext, argv: string[]): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      at: { type: 'string' },
      stream: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    line(ctx.out, usage);
    return command === undefined && !values.help ? exitCode.failure : exitCode.ok;
  }
  const extra = (count: number) => {
    if (rest.length > count) throw new UsageError(`unexpected argument "${rest[count]}"`);
  };
  switch (command) {
    case 'migrate':
      extra(0);
      return migrate(ctx);
    case 'status':
      extra(1);
      return status(ctx, positional(rest, 0, 'stream id'));
    case 'replay':
      extra(1);
      return replay(ctx, { streamId: rest[0], all: values.all ?? false, at: values.at, json: values.json ?? false });
    case 'wallet':
      extra(1);
      return wallet(ctx, { ownerId: userIdArgument(rest, 0), json: values.json ?? false });
    case 'refund-stars':
      extra(2);
      return refundStars(ctx, { ownerId: userIdArgument(rest, 0), telegramPaymentChargeId: chargeIdArgument(rest, 1), json: values.json ?? false });
    case 'rebuild':
      extra(0);
      return rebuild(ctx);
    case 'export':
      extra(0);
      return exportLog(ctx, { ...(values.stream ? { streamId: values.stream } : {}), ...(values.out ? { outPath: values.out } : {}) });
    case 'import':
      extra(1);
      return importLog(ctx, positional(rest, 0, 'file to import'));
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Runs one command; every failure becomes a message on stderr and exit code 2. */
export async function runCli(ctx: CliContext, argv: string[]): Promise<ExitCode> {
  try {
    return await dispatchCommand(ctx, argv);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      line(ctx.err, `avatarctl: ${error.message}\nRun "avatarctl --help" for usage.`);
    } else if (
      error instanceof ImportError ||
      error instanceof DatabaseUnavailableError ||
      error instanceof MigrationFailedError ||
      error instanceof RebuildInProgressError ||
      error instanceof TelegramConfigError
    ) {
      line(ctx.err, `avatarctl: ${error.message}`);
    } else {
      line(ctx.err, `avatarctl: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    return exitCode.failure;
  }
}
