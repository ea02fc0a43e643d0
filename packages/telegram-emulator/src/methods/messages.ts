import type { Message } from '@grammyjs/types';
import type { BotState } from '../bot-state.js';
import { badRequest } from '../errors.js';
import { messageText } from '../formatting/format-text.js';
import { readReplyMarkup } from '../reply-markup.js';
import { newBotMessage, readChatId, readMessageId, readReplyTarget, textParams } from './common.js';
import type { MethodTable } from './method.js';

const chatActions = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

export function messageMethods(state: BotState): MethodTable {
  return {
    sendMessage: ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const { text, entities } = messageText(textParams(params, 'text'));
      const replyMarkup = readReplyMarkup(params, 'send');
      const reply = readReplyTarget(params, conversation);
      const message: Message = {
        ...newBotMessage(state, conversation),
        ...reply,
        text,
        ...(entities.length > 0 && { entities }),
        ...(replyMarkup && { reply_markup: replyMarkup }),
      };
      conversation.addMessages('bot', [message]);
      return message;
    },

    sendChatAction: ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const action = params.string('action') ?? '';
      if (!chatActions.has(action)) throw badRequest('wrong parameter action in request');
      conversation.add({ kind: 'chat_action', action });
      return true;
    },

    deleteMessage: ({ params }) => {
      const conversation = state.conversation(readChatId(params));
      const record = conversation.record(readMessageId(params));
      if (record === undefined || record.deleted) throw badRequest('message to delete not found');
      conversation.deleteMessage(record);
      return true;
    },

    answerCallbackQuery: ({ params }) => {
      const text = params.string('text');
      if (text !== undefined && [...text].length > 200) throw badRequest('MESSAGE_TOO_LONG');
      const url = params.string('url');
      const answer = { ...(text !== undefined && { text }), showAlert: params.boolean('show_alert'), ...(url !== undefined && { url }) };
      const query = state.callbacks.answer(params.string('callback_query_id') ?? '', answer);
      state.conversation(query.userId).add({ kind: 'callback_answer', callbackQueryId: query.id, answer });
      return true;
    },
  };
}
