import { walletIdOf, type Actor, type WalletState } from '@avatar/machine';
import { loadStream, recordStarsRefund, type Store } from '@avatar/store';
import { formatWallet, walletJson } from '../format.js';
import { envOf, exitCode, fetchOf, line, type CliContext, type ExitCode } from '../io.js';
import { refundStarPayment, telegramConfigFromEnv, type RefundOutcome } from '../telegram.js';
import { walletReport } from '../wallet-report.js';

/** `avatarctl wallet <userId>`: the sums, open reservations, top-ups and the replayed timeline. */
export async function wallet(ctx: CliContext, { ownerId, json }: { ownerId: number; json: boolean }): Promise<ExitCode> {
  const store = await ctx.openStore();
  try {
    const report = await walletReport(store, ownerId);
    if (report === null) {
      line(ctx.err, `user ${ownerId} has no wallet (no stream ${walletIdOf(ownerId)})`);
      return exitCode.failure;
    }
    if (json) line(ctx.out, walletJson(report));
    else for (const text of formatWallet(report)) line(ctx.out, text);
    return report.anomalies.length > 0 ? exitCode.anomalies : exitCode.ok;
  } finally {
    await store.close();
  }
}

export interface RefundArgs {
  ownerId: number;
  telegramPaymentChargeId: string;
  json: boolean;
}

/** What refund-stars did, as --json prints it. */
interface RefundReport {
  userId: number;
  walletId: string;
  telegramPaymentChargeId: string;
  /** taken_back: by this run; taken_back_earlier: an earlier run recorded it; refused: nothing changed. */
  wallet: 'taken_back' | 'taken_back_earlier' | 'refused';
  telegram: 'refunded' | 'already_refunded' | 'failed' | 'not_called';
  credits: number | null;
  stars: number | null;
  balance: number | null;
  reason?: string;
  code?: string;
  /** Set when re-running the same command is what to do next. */
  retry?: boolean;
}

function operator(ctx: CliContext): Actor {
  const who = envOf(ctx).USER?.trim();
  return { kind: 'operator', name: who ? `${who} via avatarctl refund-stars` : 'avatarctl refund-stars' };
}

async function walletState(store: Store, walletId: string): Promise<WalletState | null> {
  return (await loadStream(store.db, 'wallet', walletId)).state;
}

/**
 * Refunds a Telegram Stars top-up, in the order that loses nothing: first the wallet takes the
 * top-up's credits back (refused when they are unknown or spent: then Telegram is not asked), then
 * Telegram gives the Stars back. If Telegram fails, the credits stay taken back and a re-run of
 * the same command retries only Telegram: the wallet records the refund once per charge id.
 */
export async function refundStars(ctx: CliContext, args: RefundArgs): Promise<ExitCode> {
  // Checked before anything is written: a refund that cannot reach Telegram should not start.
  const telegram = telegramConfigFromEnv(envOf(ctx));
  const { ownerId, telegramPaymentChargeId, json } = args;
  const walletId = walletIdOf(ownerId);
  const store = await ctx.openStore();
  let report: RefundReport;
  try {
    const recorded = await recordStarsRefund(store, ownerId, telegramPaymentChargeId, { actor: operator(ctx) });
    const state = recorded.outcome === 'accepted' ? recorded.state : await walletState(store, walletId);
    const topUp = state?.topUps[telegramPaymentChargeId];
    const base = {
      userId: ownerId,
      walletId,
      telegramPaymentChargeId,
      credits: topUp?.credits ?? null,
      stars: topUp?.stars ?? null,
      balance: state?.balance ?? null,
    };
    // A refund recorded before under another event id (not by this command) is as good as ours.
    const refundedBefore = recorded.outcome === 'rejected' && recorded.rejection.code === 'payment_refunded';
    if (recorded.outcome === 'rejected' && !refundedBefore) {
      report = { ...base, wallet: 'refused', telegram: 'not_called', reason: recorded.rejection.reason, code: recorded.rejection.code };
    } else {
      const outcome: RefundOutcome = await refundStarPayment(fetchOf(ctx), telegram, { userId: ownerId, telegramPaymentChargeId });
      report = {
        ...base,
        wallet: recorded.outcome === 'accepted' ? 'taken_back' : 'taken_back_earlier',
        telegram: outcome.kind,
        ...(outcome.kind === 'failed' ? { reason: outcome.reason, retry: true } : {}),
      };
    }
  } finally {
    await store.close();
  }
  if (json) line(ctx.out, JSON.stringify(report));
  else printRefund(ctx, report);
  return report.wallet === 'refused' || report.telegram === 'failed' ? exitCode.anomalies : exitCode.ok;
}

function printRefund(ctx: CliContext, r: RefundReport): void {
  const charge = `charge ${r.telegramPaymentChargeId}`;
  if (r.wallet === 'refused') {
    line(ctx.err, `avatarctl: refund-stars refused (${r.code}): ${r.reason}`);
    line(ctx.err, `Nothing was changed: ${r.walletId} keeps its credits and Telegram was not asked to refund ${charge}.`);
    return;
  }
  const amounts = r.credits !== null && r.stars !== null ? `${r.credits} credits` : 'the credits';
  const taken =
    r.wallet === 'taken_back'
      ? `took ${amounts} back from ${r.walletId} (balance now ${r.balance})`
      : `${amounts} of ${charge} were taken back from ${r.walletId} earlier (balance ${r.balance})`;
  const stars = r.stars === null ? 'the stars' : `${r.stars} stars`;
  switch (r.telegram) {
    case 'refunded':
      line(ctx.out, `${taken}; Telegram refunded ${stars} of ${charge} to user ${r.userId}`);
      return;
    case 'already_refunded':
      line(ctx.out, `${taken}; Telegram had refunded ${stars} of ${charge} to user ${r.userId} already (CHARGE_ALREADY_REFUNDED)`);
      return;
    default:
      line(ctx.err, `avatarctl: ${taken}, but Telegram did not refund ${stars}: ${r.reason}`);
      line(ctx.err, 'The credits stay taken back. Re-run the same command to retry the Telegram refund: it is idempotent (the credits are not taken twice).');
  }
}
