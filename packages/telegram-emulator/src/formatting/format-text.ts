import { badRequest, reasons } from '../errors.js';
import { readEntities, trimText } from './entities.js';
import { EntityParseError, type FormattedText } from './formatted-text.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import { parseMarkdownV2 } from './markdown-v2.js';

/** The raw text-related parameters of a call: `text`/`caption`, `parse_mode`, `entities`/`caption_entities`. */
export interface TextParams {
  text: string | undefined;
  parseMode: string | undefined;
  entities: unknown;
}

const maxTextLength = 4096;
const maxCaptionLength = 1024;

const characterCount = (text: string) => [...text].length;

function parseWithMode(text: string, parseMode: string | undefined): FormattedText {
  const mode = parseMode?.toLowerCase() ?? '';
  try {
    switch (mode) {
      case '':
        return { text, entities: [] };
      case 'html':
        return parseHtml(text);
      case 'markdownv2':
        return parseMarkdownV2(text);
      case 'markdown':
        return parseMarkdown(text);
      default:
        throw badRequest('unsupported parse_mode');
    }
  } catch (error) {
    if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
    throw error;
  }
}

/** Explicit entities win over parse_mode, as in the Bot API; then white space is trimmed. */
function format(params: TextParams & { text: string }): FormattedText {
  const formatted =
    params.entities === undefined
      ? parseWithMode(params.text, params.parseMode)
      : { text: params.text, entities: readEntities(params.entities, params.text) };
  return trimText(formatted.text, formatted.entities);
}

/** The text of a text message: required, non-empty after trimming, at most 4096 characters. */
export function messageText(params: TextParams): FormattedText {
  if (params.text === undefined) throw badRequest(reasons.textEmpty);
  const formatted = format({ ...params, text: params.text });
  if (formatted.text === '') throw badRequest(reasons.textEmpty);
  if (characterCount(formatted.text) > maxTextLength) throw badRequest(reasons.textTooLong);
  return formatted;
}

/** A media caption: optional, at most 1024 characters; undefined when absent or blank. */
export function captionText(params: TextParams): FormattedText | undefined {
  if (params.text === undefined) return undefined;
  const formatted = format({ ...params, text: params.text });
  if (formatted.text === '') return undefined;
  if (characterCount(formatted.text) > maxCaptionLength) throw badRequest(reasons.captionTooLong);
  return formatted;
}
