import { abilitiesOf } from '@avatar/machine';
import { findAvatar, loadStream, walletSummary, type Store } from '@avatar/store';
import { formatAnomalies, formatWalletSummary } from '../format.js';
import { exitCode, line, type CliContext, type ExitCode } from '../io.js';
import { ownerIdOf, walletReport } from '../wallet-report.js';

/** A wallet's sums as the log folds them beside its read-model row; exit 1 on wallet anomalies. */
async function walletStatus(ctx: CliContext, store: Store, streamId: string): Promise<ExitCode> {
  const ownerId = ownerIdOf(streamId);
  const report = ownerId === null ? null : await walletReport(store, ownerId);
  if (report === null || report.walletId !== streamId) {
    line(ctx.err, `${streamId} is a wallet stream avatarctl cannot read (wallet ids are wallet-<user id>); try: avatarctl replay ${streamId}`);
    return exitCode.failure;
  }
  for (const text of formatWalletSummary(report)) line(ctx.out, text);
  for (const text of formatAnomalies(report.anomalies)) line(ctx.out, text);
  return report.anomalies.length > 0 ? exitCode.anomalies : exitCode.ok;
}

/** The avatar (or wallet) as the read model shows it and as its log folds to, side by side. */
export async function status(ctx: CliContext, streamId: string): Promise<ExitCode> {
  const store = await ctx.openStore();
  try {
    const [view, stream] = await Promise.all([findAvatar(store.db, streamId), loadStream(store.db, 'avatar', streamId)]);
    if (stream.storedKind === 'wallet') return await walletStatus(ctx, store, streamId);
    const state = stream.state;
    if (!view && !state) {
      if (stream.storedKind !== null && stream.storedKind !== 'avatar') line(ctx.err, `${streamId} is a ${stream.storedKind} stream, not an avatar (try: avatarctl replay ${streamId})`);
      else line(ctx.err, `no avatar ${streamId}`);
      return exitCode.failure;
    }
    if (view) {
      line(ctx.out, `avatar ${view.avatarId} "${view.name}" (owner ${view.ownerId})`);
      line(ctx.out, `  status        ${view.status}${view.trainingStage ? ` (${view.trainingStage})` : ''}`);
      line(ctx.out, `  version       ${view.version}, updated ${view.updatedAt.toISOString()}`);
      line(ctx.out, `  photos        ${view.photoCount}`);
      line(ctx.out, `  attempt       ${view.currentAttemptId ?? '-'}${view.falRequestId ? ` (fal ${view.falRequestId})` : ''}`);
      line(ctx.out, `  lora          ${view.loraUrl ?? '-'}`);
      if (view.failureReason) line(ctx.out, `  failure       ${view.failureReason}`);
    } else {
      line(ctx.out, `avatar ${streamId}: the read model has no row (try: avatarctl replay ${streamId})`);
    }
    if (state) {
      const abilities = Object.entries(abilitiesOf(state))
        .filter(([, can]) => can)
        .map(([ability]) => ability);
      line(ctx.out, `  machine       ${JSON.stringify(state.value)} at version ${stream.version}`);
      line(ctx.out, `  can now       ${abilities.join(', ') || 'nothing'}`);
    }
    const ownerId = view?.ownerId ?? state?.context.ownerId;
    if (ownerId !== undefined) {
      const credits = await walletSummary(store, ownerId);
      line(
        ctx.out,
        `  owner wallet  ${credits ? `${credits.walletId}: balance ${credits.balance}, reserved ${credits.reserved}, available ${credits.available}` : 'none'}`,
      );
    }
    return exitCode.ok;
  } finally {
    await store.close();
  }
}
