import { abilitiesOf, generationEventData, isDeleted, isGenerationFinished, type AvatarState, type GenerationOrder } from '@avatar/machine';
import { derivedUuid, findGeneration, loadAvatar, loadStream, mainAvatarOf, requestGeneration } from '@avatar/store';
import type { ActionHandlers, Tap } from '../actions/router.js';
import { isOwnedBy } from '../avatars.js';
import type { Flow } from '../chat-state.js';
import type { BotContext } from '../context.js';
import { localeFor } from '../i18n/locales.js';
import { rejectionMessage } from '../rejections.js';
import { screen } from '../telegram/screens.js';
import { askAspect, askPrompt, generationStarted } from '../views/generation.js';
import { ownedAvatar, staleTap } from './access.js';
import { chatIdOf, send, show, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';
import { availableNow, paying } from './wallet.js';
import { notEnoughCredits } from '../views/wallet.js';

const promptSchema = generationEventData.GenerationRequested.shape.prompt;

async function askForPrompt(ctx: BotContext, services: BotServices, avatar: AvatarState) {
  await services.chats.setFlow(chatIdOf(ctx), { step: 'prompt', avatarId: avatar.context.avatarId });
  await send(ctx, askPrompt(textsOf(ctx), avatar));
}

/**
 * Requests the generation and shows "sending a photo…" until it is delivered. Returns false (and
 * has said why) when the avatar cannot generate now.
 */
async function startGeneration(ctx: BotContext, services: BotServices, tap: Tap, avatarId: string, order: GenerationOrder): Promise<boolean> {
  const texts = textsOf(ctx);
  const chatId = chatIdOf(ctx);
  const userId = userIdOf(ctx);
  const price = services.pricing.creditsPerImage * order.numImages;
  const result = await paying(ctx, services, () => requestGeneration(services.store, avatarId, order, price, { actor: { kind: 'user', userId } }));
  if (result.outcome === 'duplicate' || (result.outcome === 'rejected' && ['stream_exists', 'reservation_exists'].includes(result.rejection.code))) {
    await tap.answer(texts.t('stale-generation-requested'));
    return false;
  }
  if (result.outcome === 'rejected' && result.rejection.code === 'insufficient_credits') {
    await tap.answer();
    await send(ctx, notEnoughCredits(texts, { price, available: await availableNow(services, userId) }));
    return false;
  }
  if (result.outcome === 'rejected') {
    await tap.answer(rejectionMessage(texts, result.rejection).text, { alert: true });
    return false;
  }
  await tap.answer(texts.t('toast-generating'));
  await services.chats.rememberLocale(chatId, localeFor(ctx.from?.language_code));
  services.chatActions.showUploadingPhoto(chatId, async () => {
    const generation = await loadStream(services.store.db, 'generation', order.generationId);
    return generation.state === null || isGenerationFinished(generation.state);
  });
  return true;
}

/** A description of the picture; it waits in the chat session while the aspect ratio is chosen. */
export async function receivePrompt(ctx: BotContext, services: BotServices, flow: Extract<Flow, { step: 'prompt' | 'aspect' }>, text: string) {
  const texts = textsOf(ctx);
  const parsed = promptSchema.safeParse(text);
  if (!parsed.success) {
    await send(ctx, screen(texts.fmt('prompt-invalid', { max: 2000 })));
    return;
  }
  const generationId = crypto.randomUUID();
  await services.chats.setFlow(chatIdOf(ctx), { step: 'aspect', avatarId: flow.avatarId, generationId, prompt: parsed.data });
  await send(ctx, askAspect(texts, generationId, parsed.data));
}

export function generationCommands(services: BotServices) {
  return {
    /** /generate: with the main avatar. */
    generate: async (ctx: BotContext) => {
      const main = await mainAvatarOf(services.store.db, userIdOf(ctx));
      const state = main === undefined ? null : ((await loadAvatar(services.store, main.avatarId))?.state ?? null);
      if (state === null) {
        await send(ctx, screen(textsOf(ctx).fmt('generate-no-avatar')));
        return;
      }
      await askForPrompt(ctx, services, state);
    },
  };
}

export function generationActions(services: BotServices): Pick<ActionHandlers, 'generate' | 'chooseAspect' | 'generateAgain'> {
  return {
    async generate(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      if (!abilitiesOf(state).generate) return staleTap(ctx, services, tap, 'stale-cannot-generate', state);
      await tap.answer();
      await askForPrompt(ctx, services, state);
    },

    async chooseAspect(ctx, { generation, aspect }, tap) {
      const chatId = chatIdOf(ctx);
      const flow = await services.chats.flow(chatId);
      if (flow?.step !== 'aspect' || flow.generationId !== generation) {
        services.logger.info({ userId: userIdOf(ctx), data: ctx.callbackQuery?.data }, 'stale aspect ratio button');
        await tap.answer(textsOf(ctx).t('stale-question'), { alert: true });
        return;
      }
      const state = await ownedAvatar(ctx, services, tap, flow.avatarId);
      if (state === null) return;
      const order = { generationId: generation, prompt: flow.prompt, aspectRatio: aspect, numImages: services.imagesPerGeneration };
      if (!(await startGeneration(ctx, services, tap, flow.avatarId, order))) return;
      // The next text is another description for the same avatar.
      await services.chats.setFlow(chatId, { step: 'prompt', avatarId: flow.avatarId });
      await show(ctx, generationStarted(textsOf(ctx), flow.prompt, aspect));
    },

    async generateAgain(ctx, { generation }, tap) {
      const texts = textsOf(ctx);
      const userId = userIdOf(ctx);
      const previous = await findGeneration(services.store.db, generation);
      if (previous === undefined) {
        services.logger.info({ userId, generation }, 'a button names an unknown generation');
        await tap.answer(texts.t('stale-generation-gone'), { alert: true });
        return;
      }
      if (previous.ownerId !== userId) {
        services.logger.warn({ userId, generation, ownerId: previous.ownerId }, "a button names another user's generation");
        await tap.answer(texts.t('not-your-avatar'), { alert: true });
        return;
      }
      const avatar = (await loadAvatar(services.store, previous.avatarId))?.state ?? null;
      if (avatar === null || isDeleted(avatar) || !isOwnedBy(avatar, userId)) {
        await tap.answer(texts.t('stale-avatar-gone'), { alert: true });
        return;
      }
      // One [Again] button makes one generation: a double tap, or the same button tapped later, is
      // the same request (and the same charge), never a second one.
      const order = {
        generationId: derivedUuid('generation-again', generation),
        prompt: previous.prompt,
        aspectRatio: previous.aspectRatio,
        numImages: previous.numImages,
      };
      if (!(await startGeneration(ctx, services, tap, previous.avatarId, order))) return;
      await send(ctx, generationStarted(texts, previous.prompt, previous.aspectRatio));
    },
  };
}
