import { abilitiesOf } from '@avatar/machine';
import { findAvatar, loadAvatar } from '@avatar/store';
import { exitCode, line, type CliContext, type ExitCode } from '../io.js';

/** The avatar as the read model shows it and as its log folds to, side by side. */
export async function status(ctx: CliContext, avatarId: string): Promise<ExitCode> {
  const store = await ctx.openStore();
  try {
    const [view, loaded] = await Promise.all([findAvatar(store.db, avatarId), loadAvatar(store, avatarId)]);
    if (!view && !loaded) {
      line(ctx.err, `no avatar ${avatarId}`);
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
      line(ctx.out, `avatar ${avatarId}: the read model has no row (try: avatarctl replay ${avatarId})`);
    }
    const state = loaded?.state;
    if (state) {
      const abilities = Object.entries(abilitiesOf(state))
        .filter(([, can]) => can)
        .map(([ability]) => ability);
      line(ctx.out, `  machine       ${JSON.stringify(state.value)} at version ${loaded.version}`);
      line(ctx.out, `  can now       ${abilities.join(', ') || 'nothing'}`);
    }
    return exitCode.ok;
  } finally {
    await store.close();
  }
}
