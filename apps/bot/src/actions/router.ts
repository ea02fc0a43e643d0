import type { MiddlewareFn } from 'grammy';
import type { BotContext, BotLogger } from '../context.js';
import { decodeAction, type ActionCall, type ActionName, type ParamsOf } from './registry.js';

/** The answer to one button press. Telegram accepts exactly one; later calls do nothing. */
export interface Tap {
  /** A short toast, or with `alert` a dialog the user closes. */
  answer(text?: string, options?: { alert?: boolean }): Promise<void>;
  readonly answered: boolean;
}

export type ActionHandler<K extends ActionName> = (ctx: BotContext, params: ParamsOf<K>, tap: Tap) => Promise<void>;

/** One handler per registered action: leaving one out is a compile error. */
export type ActionHandlers = { readonly [K in ActionName]: ActionHandler<K> };

export interface RouterTexts {
  unknownButton(ctx: BotContext): string;
  failed(ctx: BotContext): string;
}

function tapFor(ctx: BotContext, logger: BotLogger): Tap {
  let answered = false;
  return {
    get answered() {
      return answered;
    },
    async answer(text, options = {}) {
      if (answered) return;
      answered = true;
      try {
        await ctx.answerCallbackQuery({ ...(text !== undefined && { text }), show_alert: options.alert ?? false });
      } catch (error) {
        // Too late or answered elsewhere: the user's spinner is gone either way.
        logger.warn({ err: error, callbackQueryId: ctx.callbackQuery?.id }, 'could not answer a callback query');
      }
    },
  };
}

function runAction<K extends ActionName>(handlers: ActionHandlers, ctx: BotContext, call: ActionCall<K>, tap: Tap): Promise<void> {
  const handler: ActionHandler<K> = handlers[call.name];
  return handler(ctx, call.params, tap);
}

/**
 * Routes every callback query to its action's handler and answers it exactly once: with the
 * handler's toast, with a clear message for data this bot never wrote (an old or forged button),
 * or with an error alert when the handler throws.
 */
export function callbackRouter(handlers: ActionHandlers, texts: RouterTexts, logger: BotLogger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const query = ctx.callbackQuery;
    if (query === undefined) return next();
    const tap = tapFor(ctx, logger);
    try {
      const call = query.data === undefined ? undefined : decodeAction(query.data);
      if (call === undefined) {
        logger.warn({ userId: query.from.id, data: query.data ?? null }, 'callback data names no registered action');
        await tap.answer(texts.unknownButton(ctx), { alert: true });
        return;
      }
      await runAction(handlers, ctx, call, tap);
    } catch (error) {
      logger.error({ err: error, userId: query.from.id, data: query.data }, 'a button handler failed');
      await tap.answer(texts.failed(ctx), { alert: true });
    } finally {
      await tap.answer();
    }
  };
}
