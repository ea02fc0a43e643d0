import { aspectRatios, type AspectRatio, type AvatarState } from '@avatar/machine';
import { FormattedString } from '@grammyjs/parse-mode';
import { button, type ActionButton } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import { screen, type Screen } from '../telegram/screens.js';
import { myAvatarsButton, nameOf } from './avatar.js';

export function askPrompt(texts: Texts, avatar: AvatarState): Screen {
  return screen(texts.fmt('generate-ask-prompt', { name: nameOf(avatar) }));
}

export function askAspect(texts: Texts, generationId: string, prompt: string): Screen {
  return screen(texts.fmt('generate-ask-aspect', { prompt: FormattedString.i(prompt) }), [
    aspectRatios.map((aspect) => button(aspect, 'chooseAspect', { generation: generationId, aspect })),
  ]);
}

export function generationStarted(texts: Texts, prompt: string, aspect: AspectRatio): Screen {
  return screen(texts.fmt('generate-started', { prompt: FormattedString.i(prompt), aspect }));
}

/** Under delivered images (an album cannot carry buttons) and under a failure: what next. */
export function afterGeneration(texts: Texts, generationId: string, avatarId: string, canGenerate: boolean): ActionButton[][] {
  if (!canGenerate) return [[myAvatarsButton(texts)]];
  return [
    [
      button(texts.t('button-again'), 'generateAgain', { generation: generationId }),
      button(texts.t('button-new-prompt'), 'generate', { avatar: avatarId }),
    ],
  ];
}

export function generationDelivered(texts: Texts, generationId: string, avatarId: string, canGenerate: boolean): Screen {
  return screen(texts.fmt('generation-delivered'), afterGeneration(texts, generationId, avatarId, canGenerate));
}

export function generationFailed(texts: Texts, reason: string, generationId: string, avatarId: string, canGenerate: boolean): Screen {
  const text = texts.fmt('generation-failed', { reason: FormattedString.i(reason) });
  return screen(text, afterGeneration(texts, generationId, avatarId, canGenerate));
}
