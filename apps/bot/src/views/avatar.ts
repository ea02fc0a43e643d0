import {
  abilitiesOf,
  cancelSettlement,
  isTraining,
  photoLimits,
  photoRoomLeft,
  photosStillNeeded,
  statusOf,
  trainingStageOf,
  type AvatarState,
} from '@avatar/machine';
import { FormattedString } from '@grammyjs/parse-mode';
import { button, inRows, type ActionButton } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import { screen, type Screen } from '../telegram/screens.js';

export const nameOf = (state: AvatarState) => FormattedString.b(state.context.name);

export const myAvatarsButton = (texts: Texts) => button(texts.t('button-my-avatars'), 'listAvatars', { page: 0 });

/** Avatars per page of the list: a message holds 4096 characters and a keyboard 100 buttons. */
export const avatarsPerPage = 8;

/** "training (queued)", "ready", … in the user's language. */
export function statusText(texts: Texts, state: AvatarState): string {
  const stage = trainingStageOf(state);
  const status = texts.t(`status-${statusOf(state)}`);
  return stage === null ? status : texts.t('status-with-stage', { status, stage: texts.t(`stage-${stage}`) });
}

/** [Start training] or [Retry training], drawn for the attempt count it was shown at. */
export function trainingButton(texts: Texts, state: AvatarState): ActionButton[] {
  const abilities = abilitiesOf(state);
  if (!abilities.startTraining) return [];
  const params = { avatar: state.context.avatarId, attempts: state.context.attemptIds.length };
  return [button(texts.t(abilities.retry ? 'button-retry-training' : 'button-start-training'), 'startTraining', params)];
}

function photoLine(texts: Texts, state: AvatarState): FormattedString {
  const count = state.context.photos.length;
  const needed = photosStillNeeded(state);
  const room = photoRoomLeft(state);
  const counter = texts.fmt('photos-counter', { count, max: photoLimits.max });
  const abilities = abilitiesOf(state);
  // Past collecting photos (training, completed, …) only the count is worth saying.
  if (!abilities.addPhotos && !abilities.startTraining) return counter;
  if (needed > 0) return FormattedString.join([counter, texts.fmt('photos-needed', { needed })], ' ');
  if (room > 0) return FormattedString.join([counter, texts.fmt('photos-ready', { room })], ' ');
  return FormattedString.join([counter, texts.fmt('photos-full')], ' ');
}

/** The message that shows an avatar's photos while they are collected; edited in place after every photo. */
export function uploadProgress(texts: Texts, state: AvatarState): Screen {
  const abilities = abilitiesOf(state);
  const { avatarId } = state.context;
  const lines = [texts.fmt('upload-title', { name: nameOf(state) }), photoLine(texts, state)];
  if (state.context.photos.length === 0) lines.push(texts.fmt('upload-tips', { min: photoLimits.minToTrain, max: photoLimits.max }));
  return screen(FormattedString.join(lines, '\n'), [
    trainingButton(texts, state),
    abilities.removePhotos ? [button(texts.t('button-remove-photos'), 'managePhotos', { avatar: avatarId })] : [],
    [button(texts.t('button-avatar-card'), 'openAvatar', { avatar: avatarId })],
  ]);
}

export interface CardOptions {
  isMain: boolean;
}

/** Everything about one avatar, with a button for each thing the machine lets the owner do now. */
export function avatarCard(texts: Texts, state: AvatarState, { isMain }: CardOptions): Screen {
  const abilities = abilitiesOf(state);
  const { avatarId, failure, attempt } = state.context;
  const lines: FormattedString[] = [
    texts.fmt(isMain ? 'card-title-main' : 'card-title', { name: nameOf(state) }),
    texts.fmt('card-status', { status: statusText(texts, state) }),
    photoLine(texts, state),
  ];
  if (isTraining(state) && attempt?.queuePosition != null) {
    lines.push(texts.fmt('card-queue-position', { position: attempt.queuePosition }));
  }
  if (abilities.retry && failure !== null) lines.push(texts.fmt('card-failure', { reason: FormattedString.i(failure.reason) }));
  if (abilities.addPhotos) lines.push(texts.fmt('card-send-photos'));
  if (abilities.generate) lines.push(texts.fmt('card-can-generate'));

  const avatar = { avatar: avatarId };
  return screen(FormattedString.join(lines, '\n'), [
    abilities.generate ? [button(texts.t('button-generate'), 'generate', avatar)] : [],
    trainingButton(texts, state),
    [
      ...(abilities.addPhotos ? [button(texts.t('button-add-photos'), 'addPhotos', avatar)] : []),
      ...(abilities.removePhotos ? [button(texts.t('button-remove-photos'), 'managePhotos', avatar)] : []),
    ],
    abilities.chooseAsMain && !isMain ? [button(texts.t('button-make-main'), 'chooseMain', avatar)] : [],
    isTraining(state) ? [button(texts.t('button-refresh'), 'openAvatar', avatar)] : [],
    [
      ...(abilities.rename ? [button(texts.t('button-rename'), 'renameAvatar', avatar)] : []),
      ...(abilities.cancel ? [button(texts.t('button-cancel-avatar'), 'cancelAvatar', avatar)] : []),
      ...(abilities.remove ? [button(texts.t('button-delete'), 'deleteAvatar', avatar)] : []),
    ],
    [myAvatarsButton(texts)],
  ]);
}

/** Stopping a training says what becomes of its credits (the refund policy is the machine's). */
function withCreditsNote(texts: Texts, state: AvatarState, question: FormattedString): FormattedString {
  if (!isTraining(state)) return question;
  const note = cancelSettlement(state) === 'release' ? 'stop-training-refunded' : 'stop-training-charged';
  return FormattedString.join([question, texts.fmt(note)], '\n');
}

export function confirmCancel(texts: Texts, state: AvatarState): Screen {
  const avatar = { avatar: state.context.avatarId };
  const key = isTraining(state) ? 'confirm-cancel-training' : 'confirm-abandon';
  return screen(withCreditsNote(texts, state, texts.fmt(key, { name: nameOf(state) })), [
    [button(texts.t('button-confirm-cancel'), 'confirmCancel', avatar), button(texts.t('button-back'), 'openAvatar', avatar)],
  ]);
}

export function confirmDelete(texts: Texts, state: AvatarState): Screen {
  const avatar = { avatar: state.context.avatarId };
  return screen(withCreditsNote(texts, state, texts.fmt('confirm-delete', { name: nameOf(state) })), [
    [button(texts.t('button-confirm-delete'), 'confirmDelete', avatar), button(texts.t('button-back'), 'openAvatar', avatar)],
  ]);
}

export function avatarDeleted(texts: Texts, name: string): Screen {
  return screen(texts.fmt('avatar-deleted', { name: FormattedString.b(name) }), [
    [myAvatarsButton(texts), button(texts.t('button-new-avatar'), 'newAvatar', {})],
  ]);
}

/** Photos by number, in the order they were added; each button removes one. */
export function photoRemoval(texts: Texts, state: AvatarState): Screen {
  const { avatarId, photos } = state.context;
  const buttons = photos.map((photo, index) =>
    button(texts.t('button-photo-number', { number: index + 1 }), 'removePhoto', { avatar: avatarId, photo: photo.sha256 }),
  );
  const text = FormattedString.join([texts.fmt('remove-photos-title', { name: nameOf(state) }), photoLine(texts, state)], '\n');
  return screen(text, [...inRows(buttons, 5), [button(texts.t('button-back'), 'openAvatar', { avatar: avatarId })]]);
}

export interface AvatarListEntry {
  state: AvatarState;
  isMain: boolean;
}

/** One page of the owner's avatars, each with its status and a button to open it. */
export function avatarList(texts: Texts, entries: readonly AvatarListEntry[], requestedPage = 0): Screen {
  if (entries.length === 0) {
    return screen(texts.fmt('avatars-none'), [[button(texts.t('button-new-avatar'), 'newAvatar', {})]]);
  }
  const pages = Math.ceil(entries.length / avatarsPerPage);
  const page = Math.min(requestedPage, pages - 1);
  const shown = entries.slice(page * avatarsPerPage, (page + 1) * avatarsPerPage);
  const lines = shown.map(({ state, isMain }) =>
    texts.fmt(isMain ? 'avatars-line-main' : 'avatars-line', {
      name: nameOf(state),
      status: statusText(texts, state),
      count: state.context.photos.length,
    }),
  );
  const title = pages > 1 ? texts.fmt('avatars-title-page', { page: page + 1, pages }) : texts.fmt('avatars-title');
  return screen(FormattedString.join([title, ...lines], '\n'), [
    ...shown.map(({ state }) => [
      button(texts.t('button-open-avatar', { name: state.context.name }), 'openAvatar', { avatar: state.context.avatarId }),
    ]),
    [
      ...(page > 0 ? [button(texts.t('button-previous-page'), 'listAvatars', { page: page - 1 })] : []),
      ...(page < pages - 1 ? [button(texts.t('button-next-page'), 'listAvatars', { page: page + 1 })] : []),
    ],
    [button(texts.t('button-new-avatar'), 'newAvatar', {})],
  ]);
}
