import type { BotState } from '../bot-state.js';
import { botInfoMethods } from './bot-info.js';
import { editMethods } from './edits.js';
import { mediaMethods } from './media.js';
import { messageMethods } from './messages.js';
import type { MethodHandler } from './method.js';
import { paymentMethods } from './payments.js';
import { updateMethods } from './updates.js';

/** Every supported method, keyed by its lower-cased name (Bot API method names are case-insensitive). */
export function createMethods(state: BotState): Map<string, MethodHandler> {
  const tables = [botInfoMethods, updateMethods, messageMethods, editMethods, mediaMethods, paymentMethods].map((table) => table(state));
  return new Map(tables.flatMap((table) => Object.entries(table)).map(([name, handler]) => [name.toLowerCase(), handler]));
}

export type { MethodHandler } from './method.js';
