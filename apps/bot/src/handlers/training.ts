import { abilitiesOf, trainingRequest } from '@avatar/machine';
import { dispatch, loadAvatar } from '@avatar/store';
import type { ActionHandlers } from '../actions/router.js';
import { localeFor } from '../i18n/locales.js';
import { derivedUuid } from '../ids.js';
import { avatarCard } from '../views/avatar.js';
import { isMainAvatar, ownedAvatar, staleTap } from './access.js';
import { chatIdOf, showAsProgress, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

export function trainingActions(services: BotServices): Pick<ActionHandlers, 'startTraining'> {
  return {
    /**
     * Starts (or retries) training once. The button carries the attempt count it was drawn at and
     * the attempt id derives from it, so a double tap, an old button or a second instance handling
     * the same tap can never start a second attempt: the machine refuses it.
     */
    async startTraining(ctx, { avatar, attempts }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (state.context.attemptIds.length !== attempts || !abilitiesOf(state).startTraining) {
        return staleTap(ctx, services, tap, 'stale-training', state);
      }
      const attemptId = derivedUuid('training-attempt', avatar, attempts + 1);
      const result = await dispatch(services.store, avatar, trainingRequest(state, attemptId), {
        actor: { kind: 'user', userId: userIdOf(ctx) },
      });
      if (result.outcome !== 'accepted') {
        const now = (await loadAvatar(services.store, avatar))?.state ?? state;
        return staleTap(ctx, services, tap, 'stale-training', now);
      }
      const texts = textsOf(ctx);
      const chatId = chatIdOf(ctx);
      await tap.answer(texts.t('toast-training-started'));
      await services.chats.rememberLocale(chatId, localeFor(ctx.from?.language_code));
      await showAsProgress(ctx, services, avatar, avatarCard(texts, result.state, { isMain: await isMainAvatar(services, result.state) }));
    },
  };
}
