import { randomInt } from 'node:crypto';
import type { Document, File, Message, PhotoSize } from '@grammyjs/types';
import type { BotState } from '../bot-state.js';
import { badRequest } from '../errors.js';
import { extensionOf, maxDownloadBytes, mimeTypeOf } from '../files.js';
import type { FormattedText } from '../formatting/formatted-text.js';
import { captionText } from '../formatting/format-text.js';
import { ApiParams } from '../http/api-params.js';
import { readImage, storePhoto } from '../photo-sizes.js';
import { readReplyMarkup } from '../reply-markup.js';
import { newBotMessage, readChatId, readReplyTarget, textParams } from './common.js';
import { resolveInputFile, type InputFile } from './input-file.js';
import type { MethodTable } from './method.js';

/** Photos a bot uploads may be at most 10 MB, with width + height ≤ 10000 and a side ratio ≤ 20. */
const maxPhotoBytes = 10 * 1024 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function photoSizes(state: BotState, input: InputFile): PhotoSize[] {
  if (input.kind === 'known') return input.file.photoSizes ?? [];
  // Telegram's wording for these cases is not documented; these are the errors it is known to give.
  if (input.bytes.length > maxPhotoBytes) throw badRequest('PHOTO_SAVE_FILE_INVALID');
  const image = readImage(input.bytes);
  if (image === undefined) throw badRequest('IMAGE_PROCESS_FAILED');
  const { width, height } = image;
  if (width + height > 10_000 || Math.max(width, height) / Math.min(width, height) > 20) {
    throw badRequest('PHOTO_INVALID_DIMENSIONS');
  }
  return storePhoto(state.files, input.bytes, image);
}

function document(state: BotState, input: InputFile): Document {
  const file =
    input.kind === 'known'
      ? input.file
      : state.files.add({
          kind: 'document',
          bytes: input.bytes,
          extension: extensionOf(input.fileName),
          ...(input.fileName !== undefined && { fileName: input.fileName }),
          ...(mimeTypeOf(input.fileName) !== undefined && { mimeType: mimeTypeOf(input.fileName) }),
        });
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    ...(file.fileName !== undefined && { file_name: file.fileName }),
    ...(file.mimeType !== undefined && { mime_type: file.mimeType }),
    file_size: file.bytes.length,
  };
}

const captionFields = (caption: FormattedText | undefined): Partial<Message> =>
  caption === undefined
    ? {}
    : { caption: caption.text, ...(caption.entities.length > 0 && { caption_entities: caption.entities }) };

interface MediaItem {
  type: 'photo' | 'document';
  media: string;
  caption: FormattedText | undefined;
}

function readMediaGroup(raw: unknown): MediaItem[] {
  if (!Array.isArray(raw)) throw badRequest("can't parse media JSON object");
  if (raw.length < 2) throw badRequest('too few media in the album: at least 2 are needed');
  if (raw.length > 10) throw badRequest('too many media in the album: at most 10 are allowed');
  const items = raw.map((item: unknown): MediaItem => {
    if (!isRecord(item) || typeof item.media !== 'string') throw badRequest("can't parse InputMedia JSON object");
    if (item.type !== 'photo' && item.type !== 'document') {
      throw badRequest(`the emulator supports photo and document media only, not ${String(item.type)}`);
    }
    const captionParams = new ApiParams(item);
    const caption = captionText(textParams(captionParams, 'caption'));
    return { type: item.type, media: item.media, caption };
  });
  const types = new Set(items.map((item) => item.type));
  if (types.size > 1) throw badRequest("documents can't be mixed with other media types in an album");
  return items;
}

export function mediaMethods(state: BotState): MethodTable {
  return {
    sendPhoto: async ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const caption = captionText(textParams(params, 'caption'));
      const replyMarkup = readReplyMarkup(params, 'send');
      const reply = readReplyTarget(params, conversation);
      const input = await resolveInputFile(params, params.upload('photo') ?? params.string('photo'), 'photo', state.files);
      const photo = photoSizes(state, input);
      const message: Message = {
        ...newBotMessage(state, conversation),
        ...reply,
        photo,
        ...captionFields(caption),
        ...(params.boolean('has_spoiler') && { has_media_spoiler: true }),
        ...(replyMarkup && { reply_markup: replyMarkup }),
      };
      conversation.addMessages('bot', [message]);
      return message;
    },

    sendDocument: async ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const caption = captionText(textParams(params, 'caption'));
      const replyMarkup = readReplyMarkup(params, 'send');
      const reply = readReplyTarget(params, conversation);
      const input = await resolveInputFile(params, params.upload('document') ?? params.string('document'), 'document', state.files);
      const sent = document(state, input);
      const message: Message = {
        ...newBotMessage(state, conversation),
        ...reply,
        document: sent,
        ...captionFields(caption),
        ...(replyMarkup && { reply_markup: replyMarkup }),
      };
      conversation.addMessages('bot', [message]);
      return message;
    },

    // An album has no reply_markup: Telegram ignores the parameter, so buttons need a separate message.
    sendMediaGroup: async ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const items = readMediaGroup(params.json('media', "can't parse media JSON object"));
      const reply = readReplyTarget(params, conversation);
      const resolved = await Promise.all(
        items.map(async (item) => ({ item, input: await resolveInputFile(params, item.media, item.type, state.files) })),
      );
      const contents = resolved.map(({ item, input }) => ({
        ...(item.type === 'photo' ? { photo: photoSizes(state, input) } : { document: document(state, input) }),
        ...captionFields(item.caption),
      }));
      const mediaGroupId = String(randomInt(10 ** 9, 2 ** 47));
      const messages = contents.map(
        (content): Message => ({ ...newBotMessage(state, conversation), ...reply, media_group_id: mediaGroupId, ...content }),
      );
      conversation.addMessages('bot', messages);
      return messages;
    },

    getFile: ({ params }): File => {
      const file = state.files.get(params.string('file_id') ?? '');
      if (file === undefined) throw badRequest('invalid file_id');
      if (file.bytes.length > maxDownloadBytes) throw badRequest('file is too big');
      return {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.bytes.length,
        file_path: state.files.pathOf(file),
      };
    },
  };
}
