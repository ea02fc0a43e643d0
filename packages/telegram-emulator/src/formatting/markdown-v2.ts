import type { MessageEntity } from '@grammyjs/types';
import { byteOffset, checkedLink, failParse as fail, readPreOpening, sortEntities, type FormattedText } from './formatted-text.js';

/**
 * parse_mode "MarkdownV2", following Telegram's parser (TDLib `parse_markdown_v2`): every reserved
 * character outside an entity must be escaped with `\`, so user text such as `Cyber_Alex*` fails.
 */
type Kind =
  | 'Bold' | 'Italic' | 'Underline' | 'Strikethrough' | 'Spoiler'
  | 'TextUrl' | 'Code' | 'Pre' | 'CustomEmoji' | 'BlockQuote';

interface OpenEntity {
  kind: Kind;
  language: string;
  offset: number;
  sourceIndex: number;
}

const reservedOutsideCode = new Set('_*[]()~`>#+-=|{}.!\n');

const reserved = (char: string) => `Character '${char}' is reserved and must be escaped with the preceding '\\'`;

/** Whether `char` closes the innermost open entity. */
function closes(kind: Kind, char: string, next: string | undefined, afterNext: string | undefined): boolean {
  switch (kind) {
    case 'Bold':
      return char === '*';
    case 'Italic':
      return char === '_' && next !== '_';
    case 'Underline':
      return char === '_' && next === '_';
    case 'Strikethrough':
      return char === '~';
    case 'Spoiler':
      return char === '|' && next === '|';
    case 'Code':
      return char === '`';
    case 'Pre':
      return char === '`' && next === '`' && afterNext === '`';
    case 'TextUrl':
    case 'CustomEmoji':
      return char === ']';
    case 'BlockQuote':
      return false;
  }
}

function simpleEntity(kind: Kind, offset: number, length: number): MessageEntity {
  switch (kind) {
    case 'Bold':
      return { type: 'bold', offset, length };
    case 'Italic':
      return { type: 'italic', offset, length };
    case 'Underline':
      return { type: 'underline', offset, length };
    case 'Strikethrough':
      return { type: 'strikethrough', offset, length };
    case 'Spoiler':
      return { type: 'spoiler', offset, length };
    case 'Code':
      return { type: 'code', offset, length };
    default:
      return { type: 'blockquote', offset, length };
  }
}

/** `\` escapes any ASCII character after it. */
const escapes = (char: string | undefined) => char !== undefined && char.charCodeAt(0) > 0 && char.charCodeAt(0) <= 126;

/** Reads the `(url)` after a link text, from the index of `(`; returns the URL and the index of `)`. */
function readUrl(source: string, openParen: number, what: string): { url: string; close: number } {
  let url = '';
  let i = openParen + 1;
  while (i < source.length && source[i] !== ')') {
    const escaped = source[i] === '\\' && escapes(source[i + 1]);
    url += escaped ? source[i + 1] : source[i];
    i += escaped ? 2 : 1;
  }
  if (source[i] !== ')') fail(`Can't find end of ${what} at byte offset ${byteOffset(source, openParen + 1)}`);
  return { url, close: i };
}

export function parseMarkdownV2(source: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: OpenEntity[] = [];
  let inBlockQuote = false;
  const at = (index: number) => source[index];
  const unclosed = (entity: OpenEntity): never =>
    fail(`Can't find end of ${entity.kind === 'Pre' && entity.language !== '' ? 'PreCode' : entity.kind} entity at byte offset ${byteOffset(source, entity.sourceIndex)}`);

  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? '';
    const next = at(i + 1);
    if (char === '\\' && escapes(next)) {
      text += next;
      i++;
      continue;
    }

    const top = open.at(-1);
    const insideCode = top?.kind === 'Code' || top?.kind === 'Pre';
    if (insideCode ? char !== '`' : !reservedOutsideCode.has(char)) {
      text += char;
      continue;
    }

    const endsBlockQuote = inBlockQuote && char === '\n' && next !== '>';
    if (top === undefined || !(endsBlockQuote || closes(top.kind, char, next, at(i + 2)))) {
      const sourceIndex = i;
      let kind: Kind;
      let language = '';
      switch (char) {
        case '_':
          if (next === '_') {
            kind = 'Underline';
            i++;
          } else {
            kind = 'Italic';
          }
          break;
        case '*':
          kind = 'Bold';
          break;
        case '~':
          kind = 'Strikethrough';
          break;
        case '|':
          if (next !== '|') fail(reserved(char));
          kind = 'Spoiler';
          i++;
          break;
        case '[':
          kind = 'TextUrl';
          break;
        case '`':
          if (next === '`' && at(i + 2) === '`') {
            kind = 'Pre';
            ({ language, start: i } = readPreOpening(source, i + 3));
            i--;
          } else {
            kind = 'Code';
          }
          break;
        case '!':
          if (next !== '[') fail(reserved(char));
          kind = 'CustomEmoji';
          i++;
          break;
        case '\n':
          text += '\n';
          if (next !== '>') continue;
          i++;
          if (inBlockQuote) continue;
          kind = 'BlockQuote';
          inBlockQuote = true;
          break;
        case '>':
          if (i !== 0) fail(reserved(char));
          kind = 'BlockQuote';
          inBlockQuote = true;
          break;
        default:
          fail(reserved(char));
      }
      open.push({ kind, language, offset: text.length, sourceIndex });
      continue;
    }

    if (char === '\n' && top.kind !== 'BlockQuote') unclosed(top);
    open.pop();
    let skip = text.length === top.offset;
    const length = text.length - top.offset;
    let entity: MessageEntity | undefined;
    switch (top.kind) {
      case 'Underline':
      case 'Spoiler':
        i++;
        entity = simpleEntity(top.kind, top.offset, length);
        break;
      case 'Pre':
        i += 2;
        entity = top.language === ''
          ? { type: 'pre', offset: top.offset, length }
          : { type: 'pre', offset: top.offset, length, language: top.language };
        break;
      case 'TextUrl': {
        let url = text.slice(top.offset);
        if (next === '(') {
          const read = readUrl(source, i + 1, 'a URL');
          url = read.url;
          i = read.close;
        }
        const link = checkedLink(url);
        if (link === undefined) skip = true;
        else entity = { type: 'text_link', offset: top.offset, length, url: link };
        break;
      }
      case 'CustomEmoji': {
        if (next !== '(') fail('Custom emoji entity must contain a tg://emoji URL');
        const read = readUrl(source, i + 1, 'a custom emoji URL');
        i = read.close;
        const id = /^tg:\/\/emoji\?id=([1-9][0-9]*)$/.exec(read.url)?.[1];
        if (id === undefined) fail('Invalid custom emoji identifier specified');
        entity = { type: 'custom_emoji', offset: top.offset, length, custom_emoji_id: id };
        break;
      }
      case 'BlockQuote':
        inBlockQuote = false;
        text += char;
        entity = simpleEntity('BlockQuote', top.offset, length + 1);
        break;
      default:
        entity = simpleEntity(top.kind, top.offset, length);
    }
    if (!skip && entity !== undefined) entities.push(entity);
  }

  const last = open.at(-1);
  if (inBlockQuote && last?.kind === 'BlockQuote') {
    open.pop();
    if (text.length > last.offset) entities.push(simpleEntity('BlockQuote', last.offset, text.length - last.offset));
  }
  const unfinished = open.at(-1);
  if (unfinished !== undefined) unclosed(unfinished);
  return { text, entities: sortEntities(entities) };
}
