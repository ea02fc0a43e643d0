import type { BotContext } from '../context.js';
import { screen } from '../telegram/screens.js';
import { notUnderstood } from '../views/home.js';
import { receiveNewName } from './avatar-actions.js';
import { receiveName, repeatQuestion } from './creation.js';
import { receivePrompt } from './generation.js';
import { chatIdOf, send, textsOf } from './replies.js';
import type { BotServices } from './services.js';

/** Text the user typed: the answer to whatever the chat is waiting for. */
export function textMessageHandler(services: BotServices) {
  return async (ctx: BotContext) => {
    const text = ctx.message?.text;
    if (text === undefined) return;
    const flow = await services.chats.flow(chatIdOf(ctx));
    switch (flow?.step) {
      case 'name':
        return receiveName(ctx, services, flow, text);
      case 'gender':
      case 'trainer':
        return repeatQuestion(ctx, flow);
      case 'rename':
        return receiveNewName(ctx, services, flow, text);
      case 'prompt':
      case 'aspect':
        return receivePrompt(ctx, services, flow, text);
      case 'photos':
        await send(ctx, screen(textsOf(ctx).fmt('photos-expected')));
        return;
      case undefined:
        await send(ctx, notUnderstood(textsOf(ctx)));
        return;
    }
  };
}

/** Stickers, voice, video…: said, never ignored. */
export function otherMessageHandler() {
  return async (ctx: BotContext) => {
    await send(ctx, notUnderstood(textsOf(ctx)), ctx.message?.message_id);
  };
}
