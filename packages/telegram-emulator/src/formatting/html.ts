import type { MessageEntity } from '@grammyjs/types';
import { byteOffset, checkedLink, failParse as fail, isSpace, sortEntities, type FormattedText } from './formatted-text.js';

/**
 * parse_mode "HTML", with the rules and error texts of Telegram's parser (TDLib `parse_html`):
 * only the documented tags, `&lt; &gt; &amp; &quot;` and numeric references; an unknown `&name;`
 * stays literal, while any `<` that does not open a supported tag is an error.
 */
const supportedTags = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);

const namedReferences: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  argument: string;
  offset: number;
}

/** A `<code class="language-x">` keeps its language only until its enclosing `<pre>` closes. */
interface ParsedEntity {
  entity: MessageEntity;
  codeLanguage: string;
}

/** Decodes the character reference at `start` (which holds `&`); undefined when it is not one. */
function decodeReference(source: string, start: number): { char: string; end: number } | undefined {
  let end = start + 1;
  let code: number;
  if (source[end] === '#') {
    end++;
    const hex = source[end] === 'x';
    if (hex) end++;
    const radix = hex ? 16 : 10;
    const digits = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    code = 0;
    while (digits.test(source[end] ?? '')) {
      code = code * radix + parseInt(source[end] ?? '0', radix);
      end++;
    }
    if (code === 0 || code >= 0x10ffff || end - start >= 10) return undefined;
  } else {
    while (/[a-zA-Z]/.test(source[end] ?? '')) end++;
    const named = namedReferences[source.slice(start + 1, end)];
    if (named === undefined) return undefined;
    code = named.codePointAt(0) ?? 0;
  }
  if (source[end] === ';') end++;
  return { char: String.fromCodePoint(code), end };
}

function entityFor(tag: OpenTag, length: number, innerText: string): MessageEntity | undefined {
  const offset = tag.offset;
  switch (tag.name) {
    case 'b':
    case 'strong':
      return { type: 'bold', offset, length };
    case 'i':
    case 'em':
      return { type: 'italic', offset, length };
    case 'u':
    case 'ins':
      return { type: 'underline', offset, length };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', offset, length };
    case 'tg-spoiler':
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'code':
      return { type: 'code', offset, length };
    case 'pre':
      return { type: 'pre', offset, length };
    case 'blockquote':
      return { type: tag.argument === 'expandable' ? 'expandable_blockquote' : 'blockquote', offset, length };
    case 'tg-emoji':
      if (!/^[1-9][0-9]*$/.test(tag.argument)) fail('Invalid custom emoji identifier specified');
      return { type: 'custom_emoji', offset, length, custom_emoji_id: tag.argument };
    case 'a': {
      const url = checkedLink(tag.argument === '' ? innerText : tag.argument);
      return url === undefined ? undefined : { type: 'text_link', offset, length, url };
    }
    default:
      return undefined;
  }
}

/** The attribute values a tag keeps: a link's href, a code language, a span class, a custom emoji id. */
function argumentOf(tag: string, attribute: string, value: string): string | undefined {
  if (tag === 'a' && attribute === 'href') return value;
  if (tag === 'code' && attribute === 'class' && value.startsWith('language-')) return value.slice('language-'.length);
  if (tag === 'span' && attribute === 'class' && value.startsWith('tg-')) return value.slice('tg-'.length);
  if (tag === 'tg-emoji' && attribute === 'emoji-id') return value;
  return undefined;
}

/** Reads an attribute value at `start`: quoted (with character references) or a bare name token. */
function readAttributeValue(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let i = start;
  if (quote !== '"' && quote !== "'") {
    while (/[a-zA-Z0-9.-]/.test(source[i] ?? '')) i++;
    if (!isSpace(source[i]) && source[i] !== '>') fail(`Unexpected end of name token at byte offset ${byteOffset(source, start)}`);
    return { value: source.slice(start, i).toLowerCase(), end: i };
  }
  let value = '';
  i++;
  while (source[i] !== quote && source[i] !== undefined) {
    const reference = source[i] === '&' ? decodeReference(source, i) : undefined;
    value += reference?.char ?? source[i];
    i = reference?.end ?? i + 1;
  }
  return { value, end: source[i] === quote ? i + 1 : i };
}

/** Reads `<name attribute="value" …>` from its `<`; `end` is the index of the closing `>`. */
function readStartTag(source: string, start: number): { name: string; argument: string; end: number } {
  const offset = () => byteOffset(source, start);
  let i = start + 1;
  while (!isSpace(source[i]) && source[i] !== '>') i++;
  if (source[i] === undefined) fail(`Unclosed start tag at byte offset ${offset()}`);
  const name = source.slice(start + 1, i).toLowerCase();
  if (!supportedTags.has(name)) fail(`Unsupported start tag "${name}" at byte offset ${offset()}`);

  let argument = '';
  const skipSpaces = () => {
    while (source[i] !== undefined && isSpace(source[i])) i++;
  };
  for (skipSpaces(); source[i] !== '>'; skipSpaces()) {
    const attributeStart = i;
    while (!isSpace(source[i]) && source[i] !== '=' && source[i] !== '>') i++;
    const attribute = source.slice(attributeStart, i);
    if (attribute === '') fail(`Empty attribute name in the tag "${name}" at byte offset ${offset()}`);
    skipSpaces();
    if (name === 'blockquote' && attribute === 'expandable' && source[i] !== '=') {
      argument = 'expandable';
      continue;
    }
    if (source[i] !== '=') fail(`Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${offset()}`);
    i++;
    skipSpaces();
    if (source[i] === undefined) fail(`Unclosed start tag "${name}" at byte offset ${offset()}`);
    const { value, end } = readAttributeValue(source, i);
    i = end;
    if (source[i] === undefined) fail(`Unclosed start tag at byte offset ${offset()}`);
    argument = argumentOf(name, attribute, value) ?? argument;
  }
  if (name === 'span' && argument !== 'spoiler') fail(`Tag "span" must have class "tg-spoiler" at byte offset ${offset()}`);
  return { name, argument, end: i };
}

/** Reads `</name>` from its `<`; the name may be empty (`</>` closes any tag). */
function readEndTag(source: string, start: number): { name: string; end: number } {
  let i = start + 1;
  while (!isSpace(source[i]) && source[i] !== '>') i++;
  const name = source.slice(start + 2, i).toLowerCase();
  while (source[i] !== undefined && isSpace(source[i])) i++;
  if (source[i] !== '>') fail(`Unclosed end tag at byte offset ${byteOffset(source, start)}`);
  return { name, end: i };
}

export function parseHtml(source: string): FormattedText {
  let text = '';
  const parsed: ParsedEntity[] = [];
  const open: OpenTag[] = [];

  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? '';
    const reference = char === '&' ? decodeReference(source, i) : undefined;
    if (reference !== undefined) {
      text += reference.char;
      i = reference.end - 1;
      continue;
    }
    if (char !== '<') {
      text += char;
      continue;
    }
    if (source[i + 1] !== '/') {
      const { name, argument, end } = readStartTag(source, i);
      open.push({ name, argument, offset: text.length });
      i = end;
      continue;
    }

    const tag = open.pop();
    if (tag === undefined) fail(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
    const endTag = readEndTag(source, i);
    if (endTag.name !== '' && endTag.name !== tag.name) {
      fail(`Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${tag.name}>", found "</${endTag.name}>"`);
    }
    i = endTag.end;
    const length = text.length - tag.offset;
    if (length === 0) continue;
    const previous = parsed.at(-1);
    const sameSpan = previous?.entity.offset === tag.offset && previous.entity.length === length;
    // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
    if (sameSpan && tag.name === 'pre' && previous.entity.type === 'code' && previous.codeLanguage !== '') {
      previous.entity = { type: 'pre', offset: tag.offset, length, language: previous.codeLanguage };
      continue;
    }
    if (sameSpan && tag.name === 'code' && previous.entity.type === 'pre' && tag.argument !== '') {
      previous.entity = { type: 'pre', offset: tag.offset, length, language: tag.argument };
      continue;
    }
    const entity = entityFor(tag, length, text.slice(tag.offset));
    if (entity !== undefined) parsed.push({ entity, codeLanguage: tag.name === 'code' ? tag.argument : '' });
  }

  const unclosed = open.at(-1);
  if (unclosed !== undefined) fail(`Can't find end tag corresponding to start tag ${unclosed.name}`);
  return { text, entities: sortEntities(parsed.map((p) => p.entity)) };
}
