import type { MessageEntity } from '@grammyjs/types';
import { byteOffset, checkedLink, failParse, readPreOpening, type FormattedText } from './formatted-text.js';

/**
 * The legacy parse_mode "Markdown" (TDLib `parse_markdown`): `*bold*`, `_italic_`, `` `code` ``,
 * ```` ```pre``` ```` and `[text](url)`, no nesting; `\` escapes `_ * ` [` outside entities.
 */
const markers = new Set(['_', '*', '`', '[']);

export function parseMarkdown(source: string): FormattedText {
  let text = '';
  const entities: MessageEntity[] = [];
  const at = (index: number) => source[index];

  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? '';
    if (char === '\\' && markers.has(at(i + 1) ?? '')) {
      text += at(i + 1);
      i++;
      continue;
    }
    if (!markers.has(char)) {
      text += char;
      continue;
    }

    const start = i;
    const closing = char === '[' ? ']' : char;
    let isPre = false;
    let language = '';
    i++;
    if (char === '`' && at(i) === '`' && at(i + 1) === '`') {
      isPre = true;
      ({ language, start: i } = readPreOpening(source, i + 2));
    }

    const offset = text.length;
    while (i < source.length && (at(i) !== closing || (isPre && !(at(i + 1) === '`' && at(i + 2) === '`')))) {
      text += at(i);
      i++;
    }
    if (i === source.length) failParse(`Can't find end of the entity starting at byte offset ${byteOffset(source, start)}`);

    const length = text.length - offset;
    if (length > 0) {
      if (char === '_') entities.push({ type: 'italic', offset, length });
      else if (char === '*') entities.push({ type: 'bold', offset, length });
      else if (char === '`' && !isPre) entities.push({ type: 'code', offset, length });
      else if (isPre) entities.push(language === '' ? { type: 'pre', offset, length } : { type: 'pre', offset, length, language });
      else {
        let url = source.slice(start + 1, i);
        if (at(i + 1) === '(') {
          i += 2;
          url = '';
          while (i < source.length && at(i) !== ')') url += at(i++);
        }
        const link = checkedLink(url);
        if (link !== undefined) entities.push({ type: 'text_link', offset, length, url: link });
      }
    }
    if (isPre) i += 2;
  }
  return { text, entities };
}
