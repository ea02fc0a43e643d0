import type { InlineKeyboardMarkup } from 'grammy/types';
import { encodeAction, type ActionName, type ParamsOf } from './registry.js';

declare const registered: unique symbol;

/** An inline button for a registered action. Only `button()` makes one. */
export interface ActionButton {
  readonly text: string;
  readonly callbackData: string;
  readonly [registered]: true;
}

export type ButtonRows = readonly (readonly ActionButton[])[];

export function button<K extends ActionName>(text: string, name: K, params: ParamsOf<K>): ActionButton {
  return { text, callbackData: encodeAction(name, params) } as ActionButton;
}

/** The reply_markup for rows of registered buttons; undefined for none (a message without buttons). */
export function inlineKeyboard(rows: ButtonRows): InlineKeyboardMarkup | undefined {
  const nonEmpty = rows.filter((row) => row.length > 0);
  if (nonEmpty.length === 0) return undefined;
  return { inline_keyboard: nonEmpty.map((row) => row.map((b) => ({ text: b.text, callback_data: b.callbackData }))) };
}

/** Buttons laid out `perRow` to a row. */
export function inRows(buttons: readonly ActionButton[], perRow: number): ActionButton[][] {
  const rows: ActionButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}
