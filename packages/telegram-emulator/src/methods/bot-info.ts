import type { BotCommand } from '@grammyjs/types';
import type { BotState } from '../bot-state.js';
import { badRequest } from '../errors.js';
import type { ApiParams } from '../http/api-params.js';
import type { MethodTable } from './method.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Command lists are kept per scope and language, like Telegram's. */
function commandListKey(params: ApiParams): string {
  const scope = params.json('scope', "can't parse BotCommandScope JSON object") ?? { type: 'default' };
  return JSON.stringify([scope, params.string('language_code') ?? '']);
}

function readCommands(raw: unknown): BotCommand[] {
  if (!Array.isArray(raw) || raw.length > 100) throw badRequest("can't parse commands JSON object");
  return raw.map((command: unknown) => {
    if (!isRecord(command) || typeof command.command !== 'string' || typeof command.description !== 'string') {
      throw badRequest("can't parse BotCommand JSON object");
    }
    const name = command.command.replace(/^\//, '');
    if (!/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest('BOT_COMMAND_INVALID');
    const description = command.description.trim();
    if (description.length < 1 || description.length > 256) throw badRequest('command description must be non-empty');
    return { command: name, description };
  });
}

export function botInfoMethods(state: BotState): MethodTable {
  return {
    getMe: () => state.botInfo,
    setMyCommands: ({ params }) => {
      state.commands.set(commandListKey(params), readCommands(params.json('commands', "can't parse commands JSON object")));
      return true;
    },
    getMyCommands: ({ params }) => state.commands.get(commandListKey(params)) ?? [],
    deleteMyCommands: ({ params }) => {
      state.commands.delete(commandListKey(params));
      return true;
    },
  };
}
