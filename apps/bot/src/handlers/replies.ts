import type { BotContext } from '../context.js';
import { showProgress } from '../progress-message.js';
import { localeFor } from '../i18n/locales.js';
import { Texts } from '../i18n/texts.js';
import { editScreen, sendScreen, type Screen } from '../telegram/screens.js';
import type { BotServices } from './services.js';

export function textsOf(ctx: BotContext): Texts {
  return new Texts(localeFor(ctx.from?.language_code), (key, variables) => ctx.t(key, variables));
}

/** The private chat of the update (the user's id there). */
export function chatIdOf(ctx: BotContext): number {
  const id = ctx.chat?.id ?? ctx.from?.id;
  if (id === undefined) throw new Error(`update ${ctx.update.update_id} has no chat`);
  return id;
}

export function userIdOf(ctx: BotContext): number {
  const id = ctx.from?.id;
  if (id === undefined) throw new Error(`update ${ctx.update.update_id} has no sender`);
  return id;
}

/** The message a tapped button is on, while Telegram still lets the bot edit it. */
export function tappedMessageId(ctx: BotContext): number | undefined {
  const message = ctx.callbackQuery?.message;
  return message !== undefined && message.date !== 0 ? message.message_id : undefined;
}

export function send(ctx: BotContext, view: Screen, replyToMessageId?: number) {
  const replyTo = replyToMessageId === undefined ? undefined : { message_id: replyToMessageId, allow_sending_without_reply: true };
  return sendScreen(ctx.api, chatIdOf(ctx), view, replyTo);
}

/** Shows `view` as the avatar's one progress message, starting from the message the user tapped. */
export function showAsProgress(ctx: BotContext, services: BotServices, avatarId: string, view: Screen): Promise<number> {
  return showProgress(ctx.api, services.chats, chatIdOf(ctx), avatarId, view, tappedMessageId(ctx));
}

/**
 * Shows `view` where the user tapped: the tapped message is edited (its old buttons go), or, when
 * it can no longer be edited or this is not a tap, a new message is sent. Returns its id.
 */
export async function show(ctx: BotContext, view: Screen): Promise<number> {
  const messageId = tappedMessageId(ctx);
  if (messageId !== undefined && (await editScreen(ctx.api, chatIdOf(ctx), messageId, view)) !== 'gone') return messageId;
  return (await send(ctx, view)).message_id;
}
