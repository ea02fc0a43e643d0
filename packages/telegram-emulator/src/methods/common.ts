import type { Message } from '@grammyjs/types';
import { unixTime, type BotState } from '../bot-state.js';
import type { Conversation } from '../conversation.js';
import { badRequest, reasons } from '../errors.js';
import type { TextParams } from '../formatting/format-text.js';
import type { ApiParams } from '../http/api-params.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readChatId(params: ApiParams): number {
  const raw = params.string('chat_id');
  if (raw === undefined || raw === '') throw badRequest('chat_id is empty');
  // Usernames (`@name`) address channels and groups, which the emulator does not have.
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(reasons.chatNotFound);
  return Number(raw);
}

export function readMessageId(params: ApiParams): number {
  const messageId = params.integer('message_id');
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  return messageId;
}

/** The text or caption parameters of a call, ready for formatting. */
export function textParams(params: ApiParams, field: 'text' | 'caption'): TextParams {
  const entitiesField = field === 'text' ? 'entities' : 'caption_entities';
  return {
    text: params.string(field),
    parseMode: params.string('parse_mode'),
    entities: params.json(entitiesField, "can't parse entities JSON object"),
  };
}

/** The message a send replies to (`reply_parameters`, or the older `reply_to_message_id`). */
export function readReplyTarget(params: ApiParams, conversation: Conversation): Pick<Message, 'reply_to_message'> {
  const reply = params.json('reply_parameters', "can't parse reply parameters JSON object");
  const legacyId = params.integer('reply_to_message_id');
  let messageId: unknown = legacyId;
  let allowWithoutReply = params.boolean('allow_sending_without_reply');
  if (reply !== undefined) {
    if (!isRecord(reply)) throw badRequest("can't parse reply parameters JSON object");
    messageId = reply.message_id;
    allowWithoutReply = reply.allow_sending_without_reply === true;
  }
  if (messageId === undefined) return {};
  const record = typeof messageId === 'number' ? conversation.record(messageId) : undefined;
  if (record === undefined || record.deleted) {
    if (allowWithoutReply) return {};
    throw badRequest('message to be replied not found');
  }
  return { reply_to_message: { ...record.message, reply_to_message: undefined } };
}

/** The fields every new message of the bot has. */
export function newBotMessage(state: BotState, conversation: Conversation): Message {
  return { message_id: conversation.nextMessageId(), from: state.botUser, chat: conversation.chat, date: unixTime() };
}
