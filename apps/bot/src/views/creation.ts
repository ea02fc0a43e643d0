import { genders, trainers } from '@avatar/machine';
import { FormattedString } from '@grammyjs/parse-mode';
import { button } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import { screen, type Screen } from '../telegram/screens.js';

export function askName(texts: Texts): Screen {
  return screen(texts.fmt('create-ask-name'));
}

export function askGender(texts: Texts, draft: string, name: string): Screen {
  return screen(texts.fmt('create-ask-gender', { name: FormattedString.b(name) }), [
    genders.map((gender) => button(texts.t(`gender-${gender}`), 'chooseGender', { draft, gender })),
  ]);
}

export function askTrainer(texts: Texts, draft: string, name: string): Screen {
  return screen(texts.fmt('create-ask-trainer', { name: FormattedString.b(name) }), [
    ...trainers.map((trainer) => [button(texts.t(`trainer-${trainer}`), 'chooseTrainer', { draft, trainer })]),
  ]);
}
