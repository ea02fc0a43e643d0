import { abilitiesOf, avatarNameSchema, cancellation, isDeleted } from '@avatar/machine';
import { dispatch, loadAvatar } from '@avatar/store';
import { FormattedString } from '@grammyjs/parse-mode';
import type { ActionHandlers } from '../actions/router.js';
import { isOwnedBy } from '../avatars.js';
import type { Flow } from '../chat-state.js';
import type { BotContext } from '../context.js';
import { rejectionMessage } from '../rejections.js';
import { screen } from '../telegram/screens.js';
import { avatarCard, avatarDeleted, confirmCancel, confirmDelete } from '../views/avatar.js';
import { isMainAvatar, ownedAvatar, staleTap } from './access.js';
import { chatIdOf, send, show, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

/** The answer to "what should the avatar be called now?". */
export async function receiveNewName(ctx: BotContext, services: BotServices, flow: Extract<Flow, { step: 'rename' }>, text: string) {
  const texts = textsOf(ctx);
  const parsed = avatarNameSchema.safeParse(text);
  if (!parsed.success) {
    await send(ctx, screen(texts.fmt('name-invalid')));
    return;
  }
  const userId = userIdOf(ctx);
  const state = (await loadAvatar(services.store, flow.avatarId))?.state ?? null;
  await services.chats.clearFlow(chatIdOf(ctx));
  if (state === null || isDeleted(state) || !isOwnedBy(state, userId)) {
    await send(ctx, screen(texts.fmt('stale-avatar-gone')));
    return;
  }
  const renamed = { type: 'AvatarRenamed', name: parsed.data } as const;
  const result = await dispatch(services.store, flow.avatarId, renamed, { actor: { kind: 'user', userId } });
  if (result.outcome === 'rejected') {
    await send(ctx, screen(rejectionMessage(texts, result.rejection)));
    return;
  }
  const now = result.outcome === 'accepted' ? result.state : state;
  await send(ctx, screen(texts.fmt('renamed', { name: FormattedString.b(now.context.name) })));
  await send(ctx, avatarCard(texts, now, { isMain: await isMainAvatar(services, now) }));
}

export function avatarActions(
  services: BotServices,
): Pick<ActionHandlers, 'renameAvatar' | 'chooseMain' | 'cancelAvatar' | 'confirmCancel' | 'deleteAvatar' | 'confirmDelete'> {
  const actor = (ctx: BotContext) => ({ actor: { kind: 'user' as const, userId: userIdOf(ctx) } });

  return {
    async renameAvatar(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).rename) return staleTap(ctx, services, tap, 'stale-not-now', state);
      await services.chats.setFlow(chatIdOf(ctx), { step: 'rename', avatarId: avatar });
      await tap.answer();
      await send(ctx, screen(textsOf(ctx).fmt('rename-ask', { name: FormattedString.b(state.context.name) })));
    },

    async chooseMain(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).chooseAsMain) return staleTap(ctx, services, tap, 'stale-main-needs-completed', state);
      const result = await dispatch(services.store, avatar, { type: 'MainAvatarChosen' }, actor(ctx));
      if (result.outcome !== 'accepted') return staleTap(ctx, services, tap, 'stale-main-needs-completed', state);
      const texts = textsOf(ctx);
      await tap.answer(texts.t('toast-main-chosen', { name: state.context.name }));
      // The owner-profiles projection follows a moment later; this card already shows the choice.
      await show(ctx, avatarCard(texts, result.state, { isMain: true }));
    },

    async cancelAvatar(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).cancel) return staleTap(ctx, services, tap, 'stale-not-now', state);
      await tap.answer();
      await show(ctx, confirmCancel(textsOf(ctx), state));
    },

    async confirmCancel(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).cancel) return staleTap(ctx, services, tap, 'stale-not-now', state);
      const result = await dispatch(services.store, avatar, cancellation(state, 'cancelled by the owner'), actor(ctx));
      if (result.outcome !== 'accepted') {
        const now = (await loadAvatar(services.store, avatar))?.state ?? state;
        return staleTap(ctx, services, tap, 'stale-not-now', now);
      }
      const texts = textsOf(ctx);
      await tap.answer(texts.t('toast-cancelled'));
      await show(ctx, avatarCard(texts, result.state, { isMain: false }));
    },

    async deleteAvatar(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).remove) return staleTap(ctx, services, tap, 'stale-not-now', state);
      await tap.answer();
      await show(ctx, confirmDelete(textsOf(ctx), state));
    },

    async confirmDelete(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      const result = await dispatch(services.store, avatar, { type: 'AvatarDeleted', reason: 'deleted by the owner' }, actor(ctx));
      if (result.outcome !== 'accepted') {
        await tap.answer(textsOf(ctx).t('stale-avatar-gone'), { alert: true });
        return;
      }
      const chatId = chatIdOf(ctx);
      const flow = await services.chats.flow(chatId);
      if (flow !== null && 'avatarId' in flow && flow.avatarId === avatar) await services.chats.clearFlow(chatId);
      const texts = textsOf(ctx);
      await tap.answer(texts.t('toast-deleted'));
      await show(ctx, avatarDeleted(texts, state.context.name));
    },
  };
}
