import { canGenerate, isDeleted, type AvatarState, type EffectOf } from '@avatar/machine';
import { findGeneration, loadAvatar, mainAvatarOf, recordEffectProgress, type ClaimedEffect, type Store } from '@avatar/store';
import { InputMediaBuilder, type Api } from 'grammy';
import { inlineKeyboard } from '../actions/keyboard.js';
import type { ChatState } from '../chat-state.js';
import type { BotLogger } from '../context.js';
import type { Texts } from '../i18n/texts.js';
import { refreshProgress } from '../progress-message.js';
import { sendScreen } from '../telegram/screens.js';
import { avatarCard } from '../views/avatar.js';
import { afterGeneration, generationDelivered, generationFailed } from '../views/generation.js';
import { trainingCompleted, trainingFailed } from '../views/training.js';

export interface DeliveryDeps {
  store: Store;
  api: Api;
  chats: ChatState;
  logger: BotLogger;
}

/** Telegram's caption limit, in characters. */
const maxCaption = 1024;

/** The progress message is a courtesy (the new message is what matters): a failure to edit it is logged, not retried. */
async function refreshCard(deps: DeliveryDeps, texts: Texts, state: AvatarState): Promise<void> {
  try {
    const isMain = (await mainAvatarOf(deps.store.db, state.context.ownerId))?.avatarId === state.context.avatarId;
    await refreshProgress(deps.api, deps.chats, state.context.avatarId, avatarCard(texts, state, { isMain }));
  } catch (error) {
    deps.logger.warn({ err: error, avatarId: state.context.avatarId }, 'could not update the progress message');
  }
}

async function liveAvatar(store: Store, avatarId: string) {
  const state = (await loadAvatar(store, avatarId))?.state ?? null;
  return state === null || isDeleted(state) ? null : state;
}

export async function notifyTrainingCompleted(deps: DeliveryDeps, texts: Texts, effect: EffectOf<'NotifyTrainingCompleted'>) {
  const state = await liveAvatar(deps.store, effect.avatarId);
  if (state === null) return;
  await refreshCard(deps, texts, state);
  await sendScreen(deps.api, effect.chatId, trainingCompleted(texts, state));
}

export async function notifyTrainingFailed(deps: DeliveryDeps, texts: Texts, effect: EffectOf<'NotifyTrainingFailed'>) {
  const state = await liveAvatar(deps.store, effect.avatarId);
  if (state === null) return;
  await refreshCard(deps, texts, state);
  await sendScreen(deps.api, effect.chatId, trainingFailed(texts, state, effect.reason));
}

/**
 * The images, sent by their URLs (Telegram fetches them). Several go as one album, which cannot
 * carry buttons, so [Again] follows in its own message; the album is recorded as sent first, so a
 * retry after a failure sends only what is missing.
 */
export async function deliverGeneration(deps: DeliveryDeps, texts: Texts, claimed: ClaimedEffect, effect: EffectOf<'DeliverGeneration'>) {
  const generation = await findGeneration(deps.store.db, effect.generationId);
  if (generation === undefined || generation.images.length === 0) return;
  const avatar = await liveAvatar(deps.store, generation.avatarId);
  const canStillGenerate = avatar !== null && canGenerate(avatar);
  const caption = texts.fmt('generation-caption', { prompt: generation.prompt.slice(0, maxCaption - 4) });
  const [first, ...rest] = generation.images;
  if (first === undefined) return;
  if (rest.length === 0) {
    const keyboard = inlineKeyboard(afterGeneration(texts, generation.generationId, generation.avatarId, canStillGenerate));
    await deps.api.sendPhoto(effect.chatId, first.url, {
      caption: caption.caption,
      caption_entities: caption.caption_entities,
      ...(keyboard && { reply_markup: keyboard }),
    });
    return;
  }
  if (claimed.progress?.albumSent !== true) {
    // The caption goes on the first item: Telegram shows it as the album's.
    const media = generation.images.map((image, index) =>
      InputMediaBuilder.photo(image.url, index === 0 ? { caption: caption.caption, caption_entities: caption.caption_entities } : {}),
    );
    await deps.api.sendMediaGroup(effect.chatId, media);
    await recordEffectProgress(deps.store.db, claimed.id, { albumSent: true });
  }
  await sendScreen(deps.api, effect.chatId, generationDelivered(texts, generation.generationId, generation.avatarId, canStillGenerate));
}

export async function notifyGenerationFailed(deps: DeliveryDeps, texts: Texts, effect: EffectOf<'NotifyGenerationFailed'>) {
  const generation = await findGeneration(deps.store.db, effect.generationId);
  if (generation === undefined) return;
  const avatar = await liveAvatar(deps.store, generation.avatarId);
  const canStillGenerate = avatar !== null && canGenerate(avatar);
  const view = generationFailed(texts, effect.reason, generation.generationId, generation.avatarId, canStillGenerate);
  await sendScreen(deps.api, effect.chatId, view);
}
