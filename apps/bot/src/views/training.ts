import { abilitiesOf, type AvatarState } from '@avatar/machine';
import { FormattedString } from '@grammyjs/parse-mode';
import { button } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import { screen, type Screen } from '../telegram/screens.js';
import { nameOf, trainingButton } from './avatar.js';

/** A new message (edits do not notify): the avatar is ready, with the way to use it. */
export function trainingCompleted(texts: Texts, state: AvatarState): Screen {
  const avatar = { avatar: state.context.avatarId };
  return screen(texts.fmt('training-completed', { name: nameOf(state) }), [
    abilitiesOf(state).generate ? [button(texts.t('button-generate'), 'generate', avatar)] : [],
    [button(texts.t('button-avatar-card'), 'openAvatar', avatar)],
  ]);
}

/** A new message: why training failed, and [Retry] / [Change photos] while the machine allows them. */
export function trainingFailed(texts: Texts, state: AvatarState, reason: string): Screen {
  const abilities = abilitiesOf(state);
  const avatar = { avatar: state.context.avatarId };
  return screen(texts.fmt('training-failed', { name: nameOf(state), reason: FormattedString.i(reason) }), [
    [
      ...trainingButton(texts, state),
      ...(abilities.addPhotos || abilities.removePhotos ? [button(texts.t('button-change-photos'), 'managePhotos', avatar)] : []),
    ],
    [button(texts.t('button-avatar-card'), 'openAvatar', avatar)],
  ]);
}
