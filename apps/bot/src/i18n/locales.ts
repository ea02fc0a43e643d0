import { join } from 'node:path';
import { I18n } from '@grammyjs/i18n';
import type { BotContext } from '../context.js';

export const locales = ['en', 'ru'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';

/** The bot's language for a Telegram `language_code` (`ru`, `ru-RU`, `en-GB`, …); English otherwise. */
export function localeFor(languageCode: string | undefined): Locale {
  const primary = languageCode?.toLowerCase().split(/[-_]/)[0];
  return locales.find((locale) => locale === primary) ?? defaultLocale;
}

export function localeFile(locale: Locale): string {
  return join(import.meta.dirname, `${locale}.ftl`);
}

/** Fluent bundles for every locale; `useIsolating: false` keeps Unicode isolation marks out of Telegram texts. */
export function createI18n(): I18n<BotContext> {
  const i18n = new I18n<BotContext>({
    defaultLocale,
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => localeFor(ctx.from?.language_code),
  });
  for (const locale of locales) i18n.loadLocaleSync(locale, { filePath: localeFile(locale) });
  return i18n;
}
