import type { InlineKeyboardButton, InlineKeyboardMarkup } from '@grammyjs/types';
import { badRequest } from './errors.js';
import type { ApiParams } from './http/api-params.js';

/** The fields that give a button its action; exactly one must be present. */
const actionFields = [
  'callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay',
] as const;

const maxCallbackDataBytes = 64;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const buttonError = (why: string) => badRequest(`can't parse inline keyboard button: ${why}`);

function isValidButtonUrl(url: string): boolean {
  try {
    return ['http:', 'https:', 'tg:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function readButton(raw: unknown): InlineKeyboardButton {
  if (!isRecord(raw)) throw buttonError('InlineKeyboardButton must be an Object');
  const { text } = raw;
  if (typeof text !== 'string') throw buttonError('Field "text" must be of type String');
  const actions = actionFields.filter((field) => raw[field] !== undefined);
  const [action] = actions;
  if (action === undefined) throw buttonError('Text buttons are unallowed in the inline keyboard');
  if (actions.length > 1) throw buttonError(`only one of ${actions.join(', ')} can be used in a button`);
  const value = raw[action];
  switch (action) {
    case 'callback_data': {
      // The limit is in bytes: 33 Cyrillic letters (2 bytes each) are already too many.
      const bytes = typeof value === 'string' ? Buffer.byteLength(value) : 0;
      if (typeof value !== 'string' || bytes < 1 || bytes > maxCallbackDataBytes) throw badRequest('BUTTON_DATA_INVALID');
      return { text, callback_data: value };
    }
    case 'url':
      if (typeof value !== 'string' || !isValidButtonUrl(value)) {
        throw badRequest(`inline keyboard button URL '${String(value)}' is invalid: Wrong HTTP URL`);
      }
      return { text, url: value };
    case 'pay':
      if (value !== true) throw buttonError('Field "pay" must be True');
      return { text, pay: true };
    default:
      throw badRequest(`the emulator supports callback_data, url and pay buttons only, not ${action}`);
  }
}

function readInlineKeyboard(raw: unknown): InlineKeyboardMarkup | undefined {
  const notRows = () => badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  if (!Array.isArray(raw)) throw notRows();
  const rows = raw
    .map((row: unknown) => {
      if (!Array.isArray(row)) throw notRows();
      return row.map(readButton);
    })
    .filter((row) => row.length > 0);
  return rows.length === 0 ? undefined : { inline_keyboard: rows };
}

/** Pay buttons belong to invoices only, and there the first button must be the Pay button. */
function checkPayButtons(keyboard: InlineKeyboardMarkup, invoice: boolean): void {
  const buttons = keyboard.inline_keyboard.flat();
  const isPay = (button: InlineKeyboardButton) => 'pay' in button;
  if (invoice && !buttons.slice(0, 1).some(isPay)) throw badRequest('REPLY_MARKUP_BUY_EMPTY');
  const extraPay = invoice ? buttons.slice(1).some(isPay) : buttons.some(isPay);
  if (extraPay) throw badRequest('BUTTON_TYPE_INVALID');
}

export interface ReplyMarkupOptions {
  /** For an invoice message: a keyboard must start with its Pay button. */
  invoice?: boolean;
}

/**
 * The `reply_markup` of a call, validated as Telegram does. Returns the inline keyboard the message
 * will carry, or undefined for none. Reply keyboards (`keyboard`, `remove_keyboard`, `force_reply`)
 * are accepted for sends but not modelled; edits accept inline keyboards only.
 */
export function readReplyMarkup(
  params: ApiParams,
  purpose: 'send' | 'edit',
  options: ReplyMarkupOptions = {},
): InlineKeyboardMarkup | undefined {
  const unparsable = "can't parse reply keyboard markup JSON object";
  const raw = params.json('reply_markup', unparsable);
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw badRequest(unparsable);
  if (raw.inline_keyboard !== undefined) {
    const keyboard = readInlineKeyboard(raw.inline_keyboard);
    if (keyboard !== undefined) checkPayButtons(keyboard, options.invoice ?? false);
    return keyboard;
  }
  const isReplyKeyboard = raw.keyboard !== undefined || raw.remove_keyboard !== undefined || raw.force_reply !== undefined;
  if (!isReplyKeyboard) throw badRequest(unparsable);
  if (purpose === 'edit') throw badRequest('inline keyboard expected');
  return undefined;
}

/** Whether two messages carry the same inline keyboard (absent and empty are the same). */
export function sameReplyMarkup(a: InlineKeyboardMarkup | undefined, b: InlineKeyboardMarkup | undefined): boolean {
  return JSON.stringify(a?.inline_keyboard ?? []) === JSON.stringify(b?.inline_keyboard ?? []);
}
