import type { MessageEntity } from '@grammyjs/types';
import { badRequest } from '../errors.js';
import { sortEntities } from './formatted-text.js';

type SimpleType = MessageEntity.CommonMessageEntity['type'];

const simpleTypes: ReadonlySet<string> = new Set<SimpleType>([
  'mention', 'hashtag', 'cashtag', 'bot_command', 'url', 'email', 'phone_number', 'bold', 'italic',
  'underline', 'strikethrough', 'spoiler', 'blockquote', 'expandable_blockquote', 'code',
]);

const isSimpleType = (type: string): type is SimpleType => simpleTypes.has(type);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

function readEntity(raw: unknown, index: number, textLength: number): MessageEntity {
  const invalid = (why: string) => badRequest(`can't parse entities: entity ${index} ${why}`);
  if (!isRecord(raw)) throw invalid('is not an object');
  const { type, offset, length } = raw;
  if (typeof type !== 'string') throw invalid('has no type');
  if (!isCount(offset) || !isCount(length)) throw invalid('needs integer offset and length');
  // Telegram silently trims such entities; the emulator rejects them because they are always a bug.
  if (offset < 0 || length <= 0 || offset + length > textLength) {
    throw invalid(`(${type}, offset ${offset}, length ${length}) does not fit the text of ${textLength} UTF-16 code units`);
  }
  if (isSimpleType(type)) return { type, offset, length };
  switch (type) {
    case 'pre':
      return typeof raw.language === 'string' ? { type, offset, length, language: raw.language } : { type, offset, length };
    case 'text_link':
      if (typeof raw.url !== 'string' || raw.url === '') throw invalid('(text_link) needs a url');
      return { type, offset, length, url: raw.url };
    case 'text_mention': {
      const user = raw.user;
      if (!isRecord(user) || !isCount(user.id) || typeof user.first_name !== 'string') throw invalid('(text_mention) needs a user');
      return { type, offset, length, user: { id: user.id, is_bot: user.is_bot === true, first_name: user.first_name } };
    }
    case 'custom_emoji':
      if (typeof raw.custom_emoji_id !== 'string') throw invalid('(custom_emoji) needs a custom_emoji_id');
      return { type, offset, length, custom_emoji_id: raw.custom_emoji_id };
    default:
      throw invalid(`has the unsupported type "${type}"`);
  }
}

/** Entities given explicitly with a text or caption, checked against that text (offsets in UTF-16 code units). */
export function readEntities(raw: unknown, text: string): MessageEntity[] {
  if (!Array.isArray(raw)) throw badRequest("can't parse entities JSON object");
  return sortEntities(raw.map((entity, index) => readEntity(entity, index, text.length)));
}

/** Telegram strips leading and trailing white space; entities move with the text and are clipped to it. */
export function trimText(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const leading = /^[ \t\r\n\v\f]*/.exec(text)?.[0].length ?? 0;
  const trimmed = text.slice(leading).replace(/[ \t\r\n\v\f]+$/, '');
  const clipped = entities.flatMap((entity) => {
    const start = Math.max(entity.offset - leading, 0);
    const end = Math.min(entity.offset + entity.length - leading, trimmed.length);
    return end > start ? [{ ...entity, offset: start, length: end - start }] : [];
  });
  return { text: trimmed, entities: clipped };
}

/** Whether two entity lists format a text identically. */
export function sameEntities(a: readonly MessageEntity[], b: readonly MessageEntity[]): boolean {
  const canonical = (list: readonly MessageEntity[]) =>
    JSON.stringify(sortEntities([...list]).map((entity) => Object.entries(entity).sort(([x], [y]) => x.localeCompare(y))));
  return canonical(a) === canonical(b);
}
