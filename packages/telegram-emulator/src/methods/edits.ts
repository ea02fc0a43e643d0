import type { InlineKeyboardMarkup, Message, MessageEntity } from '@grammyjs/types';
import { unixTime, type BotState } from '../bot-state.js';
import type { Conversation, MessageRecord } from '../conversation.js';
import { badRequest, reasons } from '../errors.js';
import { sameEntities } from '../formatting/entities.js';
import { captionText, messageText } from '../formatting/format-text.js';
import type { ApiParams } from '../http/api-params.js';
import { readReplyMarkup, sameReplyMarkup } from '../reply-markup.js';
import { readChatId, readMessageId, textParams } from './common.js';
import type { MethodTable } from './method.js';

interface EditTarget {
  conversation: Conversation;
  record: MessageRecord;
}

/** The bot's own, not deleted message that an edit call addresses. */
function editTarget(state: BotState, params: ApiParams): EditTarget {
  if (params.has('inline_message_id')) throw badRequest('the emulator supports edits by chat_id and message_id only');
  const conversation = state.writableConversation(readChatId(params));
  const record = conversation.record(readMessageId(params));
  if (record === undefined || record.deleted) throw badRequest(reasons.messageToEditNotFound);
  if (record.sender !== 'bot') throw badRequest("message can't be edited");
  return { conversation, record };
}

function save({ conversation, record }: EditTarget, message: Message): Message {
  conversation.replaceMessage(record, message);
  return message;
}

/** Replaces content and keyboard; the result omits empty entity lists and an absent keyboard, as Telegram does. */
function withContent(
  message: Message,
  field: 'text' | 'caption',
  content: { text: string; entities: MessageEntity[] } | undefined,
  replyMarkup: InlineKeyboardMarkup | undefined,
): Message {
  const entitiesField = field === 'text' ? 'entities' : 'caption_entities';
  const { [field]: _text, [entitiesField]: _entities, reply_markup: _markup, ...rest } = message;
  return {
    ...rest,
    ...(content && { [field]: content.text }),
    ...(content && content.entities.length > 0 && { [entitiesField]: content.entities }),
    ...(replyMarkup && { reply_markup: replyMarkup }),
    edit_date: unixTime(),
  };
}

function assertModified(
  record: MessageRecord,
  content: { text: string; entities: MessageEntity[] } | undefined,
  field: 'text' | 'caption',
  replyMarkup: InlineKeyboardMarkup | undefined,
): void {
  const current = record.message;
  const currentEntities = (field === 'text' ? current.entities : current.caption_entities) ?? [];
  const sameContent = (content?.text ?? '') === (current[field] ?? '') && sameEntities(content?.entities ?? [], currentEntities);
  if (sameContent && sameReplyMarkup(replyMarkup, current.reply_markup)) throw badRequest(reasons.notModified);
}

export function editMethods(state: BotState): MethodTable {
  return {
    editMessageText: ({ params }) => {
      const target = editTarget(state, params);
      const content = messageText(textParams(params, 'text'));
      const replyMarkup = readReplyMarkup(params, 'edit');
      if (target.record.message.text === undefined) throw badRequest('there is no text in the message to edit');
      assertModified(target.record, content, 'text', replyMarkup);
      return save(target, withContent(target.record.message, 'text', content, replyMarkup));
    },

    editMessageCaption: ({ params }) => {
      const target = editTarget(state, params);
      const content = captionText(textParams(params, 'caption'));
      const replyMarkup = readReplyMarkup(params, 'edit');
      if (target.record.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
      assertModified(target.record, content, 'caption', replyMarkup);
      return save(target, withContent(target.record.message, 'caption', content, replyMarkup));
    },

    editMessageReplyMarkup: ({ params }) => {
      const target = editTarget(state, params);
      const replyMarkup = readReplyMarkup(params, 'edit', { invoice: target.record.message.invoice !== undefined });
      if (sameReplyMarkup(replyMarkup, target.record.message.reply_markup)) throw badRequest(reasons.notModified);
      const { reply_markup: _markup, ...rest } = target.record.message;
      return save(target, { ...rest, ...(replyMarkup && { reply_markup: replyMarkup }), edit_date: unixTime() });
    },
  };
}
