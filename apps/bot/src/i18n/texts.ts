import { FormattedString } from '@grammyjs/parse-mode';
import type { Locale } from './locales.js';

export type TextValue = string | number | FormattedString;
export type Translate = (key: string, variables?: Record<string, string | number>) => string;

// Private-use characters: never in a translation, and user text never passes through Fluent.
const open = '\uE000';
const close = '\uE001';
const placeholder = new RegExp(`${open}(\\d+)${close}`, 'g');

/**
 * Translations for one locale. `fmt` builds a message with entities: every string or formatted
 * value (an avatar name, a prompt) is spliced in after translation, so user text like `<3` or
 * `Cyber_Alex*` is shown verbatim and never parsed as markup. Numbers go to Fluent for plurals.
 */
export class Texts {
  constructor(
    readonly locale: Locale,
    private readonly translate: Translate,
  ) {}

  t(key: string, variables: Record<string, string | number> = {}): string {
    return this.translate(key, variables);
  }

  fmt(key: string, variables: Record<string, TextValue> = {}): FormattedString {
    const values: FormattedString[] = [];
    const forFluent: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value === 'number') {
        forFluent[name] = value;
      } else {
        forFluent[name] = `${open}${values.length}${close}`;
        values.push(typeof value === 'string' ? new FormattedString(value) : value);
      }
    }
    const translated = this.translate(key, forFluent);
    const parts: FormattedString[] = [];
    let last = 0;
    for (const match of translated.matchAll(placeholder)) {
      parts.push(new FormattedString(translated.slice(last, match.index)), values[Number(match[1])] ?? new FormattedString(''));
      last = match.index + match[0].length;
    }
    parts.push(new FormattedString(translated.slice(last)));
    return FormattedString.join(parts);
  }
}
