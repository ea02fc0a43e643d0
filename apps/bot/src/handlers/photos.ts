import { abilitiesOf, isDeleted, type AvatarState } from '@avatar/machine';
import { avatarsOf, dispatch, loadAvatar } from '@avatar/store';
import { FormattedString } from '@grammyjs/parse-mode';
import { button } from '../actions/keyboard.js';
import type { ActionHandlers } from '../actions/router.js';
import { isOwnedBy } from '../avatars.js';
import type { BotContext } from '../context.js';
import { photoCandidateOf } from '../photos/candidate.js';
import { takePhoto } from '../photos/intake.js';
import { showLatestProgress } from '../progress-message.js';
import { refusalMessage, statusName } from '../rejections.js';
import { screen } from '../telegram/screens.js';
import { photoRemoval, uploadProgress } from '../views/avatar.js';
import { ownedAvatar, staleTap } from './access.js';
import { chatIdOf, send, showAsProgress, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

/** Where a photo goes: the avatar the chat is uploading to, else the owner's latest avatar that accepts photos. */
async function photoTarget(services: BotServices, chatId: number, userId: number): Promise<AvatarState | null> {
  const flow = await services.chats.flow(chatId);
  if (flow?.step === 'photos') {
    const state = (await loadAvatar(services.store, flow.avatarId))?.state ?? null;
    if (state !== null && !isDeleted(state) && isOwnedBy(state, userId)) return state;
  }
  const candidates = (await avatarsOf(services.store.db, userId)).filter((view) => view.acceptsPhotos);
  const latest = candidates.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  if (latest === undefined) return null;
  return (await loadAvatar(services.store, latest.avatarId))?.state ?? null;
}

/** Whether the avatar is still gathering photos (not training, not gone): the upload screen applies. */
function stillUploading(state: AvatarState): boolean {
  const abilities = abilitiesOf(state);
  return !isDeleted(state) && (abilities.addPhotos || abilities.removePhotos);
}

/** A photo or a file: every one is added or answered with the reason it was not, albums included. */
export function photoMessageHandler(services: BotServices) {
  return async (ctx: BotContext) => {
    const message = ctx.message;
    const candidate = message && photoCandidateOf(message);
    if (message === undefined || candidate === undefined) return;
    const texts = textsOf(ctx);
    const chatId = chatIdOf(ctx);
    const userId = userIdOf(ctx);
    const avatar = await photoTarget(services, chatId, userId);
    if (avatar === null) {
      await send(ctx, screen(texts.fmt('photo-no-avatar'), [[button(texts.t('button-new-avatar'), 'newAvatar', {})]]), message.message_id);
      return;
    }
    const result = await takePhoto(services, { avatar, userId, chatId, messageId: message.message_id, candidate });
    if (result.outcome === 'refused') {
      const reason = refusalMessage(texts, result.code, { ...result.facts, status: statusName(texts, result.status) });
      const text = FormattedString.join([texts.fmt('photo-rejected', { name: FormattedString.b(avatar.context.name) }), reason], ' ');
      await send(ctx, screen(text), message.message_id);
      return;
    }
    const { avatarId } = result.state.context;
    await showLatestProgress(ctx.api, services.chats, chatId, avatarId, async () => {
      const now = await loadAvatar(services.store, avatarId);
      const { version, state } = now ?? { version: null, state: null };
      if (version === null || state === null || !stillUploading(state)) return null;
      return { version, view: uploadProgress(texts, state) };
    });
  };
}

export function photoActions(services: BotServices): Pick<ActionHandlers, 'addPhotos' | 'managePhotos' | 'removePhoto'> {
  return {
    async addPhotos(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).addPhotos) return staleTap(ctx, services, tap, 'stale-no-photos-now', state);
      await services.chats.setFlow(chatIdOf(ctx), { step: 'photos', avatarId: avatar });
      await tap.answer(textsOf(ctx).t('toast-send-photos'));
      await showAsProgress(ctx, services, avatar, uploadProgress(textsOf(ctx), state));
    },

    async managePhotos(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      const abilities = abilitiesOf(state);
      if (!abilities.addPhotos && !abilities.removePhotos) return staleTap(ctx, services, tap, 'stale-no-photos-now', state);
      if (abilities.addPhotos) await services.chats.setFlow(chatIdOf(ctx), { step: 'photos', avatarId: avatar });
      await tap.answer();
      const texts = textsOf(ctx);
      await showAsProgress(ctx, services, avatar, abilities.removePhotos ? photoRemoval(texts, state) : uploadProgress(texts, state));
    },

    async removePhoto(ctx, { avatar, photo }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      const texts = textsOf(ctx);
      const target = state.context.photos.find((p) => p.sha256.startsWith(photo));
      if (target === undefined || !abilitiesOf(state).removePhotos) return staleTap(ctx, services, tap, 'stale-photo-gone', state);
      const removal = { type: 'PhotoRemoved', photoId: target.photoId } as const;
      const result = await dispatch(services.store, avatar, removal, { actor: { kind: 'user', userId: userIdOf(ctx) } });
      if (result.outcome !== 'accepted') {
        const now = (await loadAvatar(services.store, avatar))?.state ?? state;
        return staleTap(ctx, services, tap, 'stale-photo-gone', now);
      }
      await tap.answer(texts.t('toast-photo-removed'));
      const view = abilitiesOf(result.state).removePhotos ? photoRemoval(texts, result.state) : uploadProgress(texts, result.state);
      await showAsProgress(ctx, services, avatar, view);
    },
  };
}
