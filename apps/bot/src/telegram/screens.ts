import type { FormattedString } from '@grammyjs/parse-mode';
import type { Api } from 'grammy';
import type { Message, ReplyParameters } from 'grammy/types';
import { inlineKeyboard, type ButtonRows } from '../actions/keyboard.js';
import { classifyApiError } from './errors.js';

/** A message as the bot shows it: text with entities (never parse_mode) and registered buttons. */
export interface Screen {
  text: FormattedString;
  buttons: ButtonRows;
}

export function screen(text: FormattedString, buttons: ButtonRows = []): Screen {
  return { text, buttons };
}

function fields(view: Screen) {
  const replyMarkup = inlineKeyboard(view.buttons);
  return { entities: view.text.entities, ...(replyMarkup && { reply_markup: replyMarkup }) };
}

export function sendScreen(api: Api, chatId: number, view: Screen, replyTo?: ReplyParameters): Promise<Message.TextMessage> {
  return api.sendMessage(chatId, view.text.text, {
    ...fields(view),
    link_preview_options: { is_disabled: true },
    ...(replyTo && { reply_parameters: replyTo }),
  });
}

export type EditOutcome = 'edited' | 'unchanged' | 'gone';

/**
 * Shows `view` in an earlier message. Buttons missing from `view` disappear. An unchanged message
 * counts as success; a deleted or too old one is reported, so the caller can send a new one.
 */
export async function editScreen(api: Api, chatId: number, messageId: number, view: Screen): Promise<EditOutcome> {
  try {
    await api.editMessageText(chatId, messageId, view.text.text, { ...fields(view), link_preview_options: { is_disabled: true } });
    return 'edited';
  } catch (error) {
    const failure = classifyApiError(error);
    if (failure.kind === 'not_modified') return 'unchanged';
    if (failure.kind === 'message_gone') return 'gone';
    throw error;
  }
}
