import type { AvatarState } from '@avatar/machine';
import { createI18n, type Locale } from '../src/i18n/locales.js';
import { Texts } from '../src/i18n/texts.js';
import type { Screen } from '../src/telegram/screens.js';
import { avatarCard, avatarDeleted, avatarList, confirmCancel, confirmDelete, photoRemoval, uploadProgress } from '../src/views/avatar.js';
import { askGender, askName, askTrainer } from '../src/views/creation.js';
import { askAspect, askPrompt, generationDelivered, generationFailed, generationStarted } from '../src/views/generation.js';
import { help, home, notUnderstood } from '../src/views/home.js';
import { trainingCompleted, trainingFailed } from '../src/views/training.js';
import { balanceScreen, notEnoughCredits, toppedUp, topUpScreen } from '../src/views/wallet.js';
import { defaultPricing } from '../src/pricing.js';

const i18n = createI18n();

export function textsIn(locale: Locale): Texts {
  return new Texts(locale, (key, variables) => i18n.t(locale, key, variables));
}

/** Every screen the bot can show about one avatar, as it would draw them now. */
export function screensOf(texts: Texts, state: AvatarState, generationId: string): Record<string, Screen> {
  const { avatarId } = state.context;
  return {
    card: avatarCard(texts, state, { isMain: false }),
    'main card': avatarCard(texts, state, { isMain: true }),
    'upload progress': uploadProgress(texts, state),
    'photo removal': photoRemoval(texts, state),
    'confirm cancel': confirmCancel(texts, state),
    'confirm delete': confirmDelete(texts, state),
    'training completed': trainingCompleted(texts, state),
    'training failed': trainingFailed(texts, state, 'model error'),
    list: avatarList(texts, [{ state, isMain: false }]),
    home: home(texts, { firstName: 'Ann', unfinished: [state], creating: { name: 'Next' }, main: state }),
    'ask prompt': askPrompt(texts, state),
    'generation delivered': generationDelivered(texts, generationId, avatarId, true),
    'generation failed': generationFailed(texts, 'nsfw', generationId, avatarId, true),
  };
}

/** Screens that name no avatar. */
export function generalScreens(texts: Texts, draftId: string, generationId: string): Record<string, Screen> {
  return {
    'ask name': askName(texts),
    'ask gender': askGender(texts, draftId, 'Ann'),
    'ask trainer': askTrainer(texts, draftId, 'Ann'),
    'ask aspect': askAspect(texts, generationId, 'in the rain'),
    'generation started': generationStarted(texts, 'in the rain', '3:4'),
    'empty list': avatarList(texts, []),
    'first home': home(texts, { firstName: 'Ann', unfinished: [], creating: null, main: null }),
    deleted: avatarDeleted(texts, 'Ann'),
    help: help(texts),
    'not understood': notUnderstood(texts),
    balance: balanceScreen(texts, null, defaultPricing),
    'top up': topUpScreen(texts, defaultPricing, 50),
    'not enough credits': notEnoughCredits(texts, { price: 150, available: 50 }),
    'topped up': toppedUp(texts, 200, 250),
  };
}
