import { isDeleted, type AvatarState } from '@avatar/machine';
import { loadAvatar, mainAvatarOf } from '@avatar/store';
import type { Tap } from '../actions/router.js';
import { isOwnedBy } from '../avatars.js';
import type { BotContext } from '../context.js';
import { avatarCard } from '../views/avatar.js';
import { show, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

/**
 * The avatar a button names, if it still exists and the user who tapped owns it. Otherwise the
 * tap is answered with the reason, logged, and nothing changes: callback data is user input.
 */
export async function ownedAvatar(ctx: BotContext, services: BotServices, tap: Tap, avatarId: string): Promise<AvatarState | null> {
  const texts = textsOf(ctx);
  const userId = userIdOf(ctx);
  const loaded = await loadAvatar(services.store, avatarId);
  const state = loaded?.state ?? null;
  if (state === null || isDeleted(state)) {
    services.logger.info({ userId, avatarId }, 'a button names an avatar that no longer exists');
    await tap.answer(texts.t('stale-avatar-gone'), { alert: true });
    return null;
  }
  if (!isOwnedBy(state, userId)) {
    services.logger.warn({ userId, avatarId, ownerId: state.context.ownerId }, "a button names another user's avatar");
    await tap.answer(texts.t('not-your-avatar'), { alert: true });
    return null;
  }
  return state;
}

export async function isMainAvatar(services: BotServices, state: AvatarState): Promise<boolean> {
  return (await mainAvatarOf(services.store.db, state.context.ownerId))?.avatarId === state.context.avatarId;
}

/**
 * A button drawn for an earlier state (a second tap, an old message): answered with `key`, logged,
 * and the message redrawn as the avatar is now, so the stale buttons disappear.
 */
export async function staleTap(ctx: BotContext, services: BotServices, tap: Tap, key: string, state: AvatarState): Promise<void> {
  const texts = textsOf(ctx);
  const details = { userId: userIdOf(ctx), avatarId: state.context.avatarId, data: ctx.callbackQuery?.data, reason: key };
  services.logger.info(details, 'stale button');
  await tap.answer(texts.t(key));
  await show(ctx, avatarCard(texts, state, { isMain: await isMainAvatar(services, state) }));
}
