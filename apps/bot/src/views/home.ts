import type { AvatarState } from '@avatar/machine';
import { FormattedString } from '@grammyjs/parse-mode';
import { button, type ActionButton } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import { screen, type Screen } from '../telegram/screens.js';
import { myAvatarsButton } from './avatar.js';

export interface HomeFacts {
  firstName: string;
  /** Avatars still being prepared (they accept photos or can start training). */
  unfinished: readonly AvatarState[];
  /** An avatar being created when the conversation stopped (its name, once given). */
  creating: { name: string | null } | null;
  /** The avatar /generate would use. */
  main: AvatarState | null;
}

/** /start: a greeting, and a way back into whatever was left unfinished. */
export function home(texts: Texts, facts: HomeFacts): Screen {
  const lines = [texts.fmt('home-greeting', { firstName: facts.firstName })];
  const rows: ActionButton[][] = [];
  if (facts.creating !== null) {
    const { name } = facts.creating;
    lines.push(name === null ? texts.fmt('home-creating-unnamed') : texts.fmt('home-creating', { name: FormattedString.b(name) }));
    rows.push([button(texts.t('button-resume-creation'), 'resumeCreation', {})]);
  }
  if (facts.unfinished.length > 0) lines.push(texts.fmt('home-unfinished'));
  for (const state of facts.unfinished.slice(0, 3)) {
    rows.push([button(texts.t('button-continue-avatar', { name: state.context.name }), 'openAvatar', { avatar: state.context.avatarId })]);
  }
  if (facts.main !== null) {
    const { name, avatarId } = facts.main.context;
    rows.push([button(texts.t('button-generate-with', { name }), 'generate', { avatar: avatarId })]);
  }
  if (facts.creating === null && facts.unfinished.length === 0 && facts.main === null) lines.push(texts.fmt('home-first-time'));
  rows.push([button(texts.t('button-new-avatar'), 'newAvatar', {}), myAvatarsButton(texts)]);
  rows.push([button(texts.t('button-balance'), 'balance', {})]);
  return screen(FormattedString.join(lines, '\n\n'), rows);
}

export function help(texts: Texts): Screen {
  return screen(texts.fmt('help'), [
    [button(texts.t('button-new-avatar'), 'newAvatar', {}), myAvatarsButton(texts)],
    [button(texts.t('button-balance'), 'balance', {}), button(texts.t('button-top-up'), 'topUp', {})],
  ]);
}

/** An answer to a message the bot did not expect, with the way forward. */
export function notUnderstood(texts: Texts): Screen {
  return screen(texts.fmt('not-understood'), [
    [button(texts.t('button-home'), 'home', {}), myAvatarsButton(texts)],
  ]);
}
