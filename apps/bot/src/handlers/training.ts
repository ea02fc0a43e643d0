import { abilitiesOf } from '@avatar/machine';
import { derivedUuid, loadAvatar, requestTraining } from '@avatar/store';
import type { ActionHandlers } from '../actions/router.js';
import { localeFor } from '../i18n/locales.js';
import { avatarCard } from '../views/avatar.js';
import { isMainAvatar, ownedAvatar, staleTap } from './access.js';
import { chatIdOf, send, showAsProgress, textsOf, userIdOf } from './replies.js';
import { availableNow, paying } from './wallet.js';
import { notEnoughCredits } from '../views/wallet.js';
import type { BotServices } from './services.js';

export function trainingActions(services: BotServices): Pick<ActionHandlers, 'startTraining'> {
  return {
    /**
     * Starts (or retries) training once. The button carries the attempt count it was drawn at and
     * the attempt id derives from it, so a double tap, an old button or a second instance handling
     * the same tap can never start a second attempt: the machine refuses it. The attempt's price
     * is reserved in the same statement, keyed by the attempt id, so it is charged once too.
     */
    async startTraining(ctx, { avatar, attempts }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (state.context.attemptIds.length !== attempts || !abilitiesOf(state).startTraining) {
        return staleTap(ctx, services, tap, 'stale-training', state);
      }
      const attemptId = derivedUuid('training-attempt', avatar, attempts + 1);
      const price = services.pricing.trainingCredits;
      const result = await paying(ctx, services, () =>
        requestTraining(services.store, state, attemptId, price, { actor: { kind: 'user', userId: userIdOf(ctx) } }),
      );
      if (result.outcome === 'rejected' && result.rejection.code === 'insufficient_credits') {
        await tap.answer();
        await send(ctx, notEnoughCredits(textsOf(ctx), { price, available: await availableNow(services, userIdOf(ctx)) }));
        return;
      }
      if (result.outcome !== 'accepted') {
        const now = (await loadAvatar(services.store, avatar))?.state ?? state;
        return staleTap(ctx, services, tap, 'stale-training', now);
      }
      const [started] = result.streams;
      const texts = textsOf(ctx);
      const chatId = chatIdOf(ctx);
      await tap.answer(texts.t('toast-training-started'));
      await services.chats.rememberLocale(chatId, localeFor(ctx.from?.language_code));
      await showAsProgress(ctx, services, avatar, avatarCard(texts, started.state, { isMain: await isMainAvatar(services, started.state) }));
    },
  };
}
