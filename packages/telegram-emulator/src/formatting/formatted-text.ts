import type { MessageEntity } from '@grammyjs/types';

/** Text as Telegram stores it: plain characters plus entities with UTF-16 offsets. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** A parse-mode syntax error; Telegram reports it as "Bad Request: can't parse entities: <message>". */
export class EntityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntityParseError';
  }
}

export function failParse(message: string): never {
  throw new EntityParseError(message);
}

/** Telegram reports positions in parse errors as byte offsets into the UTF-8 source. */
export const byteOffset = (source: string, index: number) => Buffer.byteLength(source.slice(0, index));

/** TDLib's notion of white space; the end of the text counts as one (it is a NUL there). */
export const isSpace = (char: string | undefined) =>
  char === undefined || char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\v' || char === '\0';

/** Entities in Telegram's canonical order: by offset, longer first. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** A link is kept only if it looks like one Telegram would accept; otherwise the entity is dropped. */
export function checkedLink(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    const parsed = new URL(withScheme);
    return ['http:', 'https:', 'tg:', 'ton:'].includes(parsed.protocol) ? withScheme : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After an opening ``` fence ending before `i`: the block's language (the word right after the
 * fence, when the line goes on) and where its text starts. One line break right after the fence
 * (or the language) is not part of the block.
 */
export function readPreOpening(source: string, i: number): { language: string; start: number } {
  const at = (index: number) => source[index];
  let language = '';
  let languageEnd = i;
  while (!isSpace(at(languageEnd)) && at(languageEnd) !== '`') languageEnd++;
  if (i !== languageEnd && languageEnd < source.length && at(languageEnd) !== '`') {
    language = source.slice(i, languageEnd);
    i = languageEnd;
  }
  if (at(i) === '\n' || at(i) === '\r') {
    const pair = (at(i + 1) === '\n' || at(i + 1) === '\r') && at(i) !== at(i + 1);
    i += pair ? 2 : 1;
  }
  return { language, start: i };
}
