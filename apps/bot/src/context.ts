import type { I18nFlavor } from '@grammyjs/i18n';
import type { Context } from 'grammy';

/** The context every handler sees: grammY's, with the i18n plugin's translation function. */
export type BotContext = Context & I18nFlavor;

/** What the bot writes to its log; pino's logger satisfies it. */
export interface BotLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
