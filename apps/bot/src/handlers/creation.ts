import { avatarNameSchema } from '@avatar/machine';
import { dispatch } from '@avatar/store';
import type { ActionHandlers, Tap } from '../actions/router.js';
import { isCreating, type CreationFlow, type Flow } from '../chat-state.js';
import type { BotContext } from '../context.js';
import { localeFor } from '../i18n/locales.js';
import { rejectionMessage } from '../rejections.js';
import { screen } from '../telegram/screens.js';
import { uploadProgress } from '../views/avatar.js';
import { askGender, askName, askTrainer } from '../views/creation.js';
import { chatIdOf, send, show, showAsProgress, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

function question(ctx: BotContext, flow: CreationFlow) {
  const texts = textsOf(ctx);
  switch (flow.step) {
    case 'name':
      return askName(texts);
    case 'gender':
      return askGender(texts, flow.avatarId, flow.name);
    case 'trainer':
      return askTrainer(texts, flow.avatarId, flow.name);
  }
}

async function startCreation(ctx: BotContext, services: BotServices): Promise<void> {
  const flow: CreationFlow = { step: 'name', avatarId: crypto.randomUUID() };
  await services.chats.setFlow(chatIdOf(ctx), flow);
  await send(ctx, question(ctx, flow));
}

/** The answer to "what should the avatar be called?". */
export async function receiveName(ctx: BotContext, services: BotServices, flow: Extract<Flow, { step: 'name' }>, text: string) {
  const texts = textsOf(ctx);
  const parsed = avatarNameSchema.safeParse(text);
  if (!parsed.success) {
    await send(ctx, screen(texts.fmt('name-invalid')));
    return;
  }
  const next: CreationFlow = { step: 'gender', avatarId: flow.avatarId, name: parsed.data };
  await services.chats.setFlow(chatIdOf(ctx), next);
  await send(ctx, question(ctx, next));
}

/** Typing while a question waits for a button: ask again, with the buttons. */
export async function repeatQuestion(ctx: BotContext, flow: Extract<Flow, { step: 'gender' | 'trainer' }>) {
  await send(ctx, screen(textsOf(ctx).fmt('use-the-buttons')));
  await send(ctx, question(ctx, flow));
}

/** The creation step a button answers, if the chat is still at that step of that avatar. */
async function currentCreation(ctx: BotContext, services: BotServices, tap: Tap, step: CreationFlow['step'], draft: string) {
  const flow = await services.chats.flow(chatIdOf(ctx));
  if (isCreating(flow) && flow.step === step && flow.avatarId === draft) return flow;
  services.logger.info({ userId: userIdOf(ctx), step, data: ctx.callbackQuery?.data }, 'stale creation button');
  await tap.answer(textsOf(ctx).t('stale-question'), { alert: true });
  return null;
}

export function creationCommands(services: BotServices) {
  return { new: (ctx: BotContext) => startCreation(ctx, services) };
}

export function creationActions(
  services: BotServices,
): Pick<ActionHandlers, 'newAvatar' | 'resumeCreation' | 'chooseGender' | 'chooseTrainer'> {
  return {
    async newAvatar(ctx, _params, tap) {
      await tap.answer();
      await startCreation(ctx, services);
    },

    async resumeCreation(ctx, _params, tap) {
      const flow = await services.chats.flow(chatIdOf(ctx));
      if (!isCreating(flow)) {
        await tap.answer(textsOf(ctx).t('stale-question'), { alert: true });
        return;
      }
      await tap.answer();
      await send(ctx, question(ctx, flow));
    },

    async chooseGender(ctx, { draft, gender }, tap) {
      const flow = await currentCreation(ctx, services, tap, 'gender', draft);
      if (flow === null || flow.step !== 'gender') return;
      await tap.answer();
      const next: CreationFlow = { step: 'trainer', avatarId: flow.avatarId, name: flow.name, gender };
      await services.chats.setFlow(chatIdOf(ctx), next);
      await show(ctx, question(ctx, next));
    },

    async chooseTrainer(ctx, { draft, trainer }, tap) {
      const flow = await currentCreation(ctx, services, tap, 'trainer', draft);
      if (flow === null || flow.step !== 'trainer') return;
      const texts = textsOf(ctx);
      const chatId = chatIdOf(ctx);
      const userId = userIdOf(ctx);
      const result = await dispatch(
        services.store,
        flow.avatarId,
        { type: 'AvatarCreated', avatarId: flow.avatarId, ownerId: userId, chatId, name: flow.name, gender: flow.gender, trainer },
        { actor: { kind: 'user', userId } },
      );
      if (result.outcome !== 'accepted') {
        // A duplicate is the same avatar created by an earlier tap on this button.
        const message = result.outcome === 'rejected' ? rejectionMessage(texts, result.rejection).text : texts.t('stale-question');
        await tap.answer(message, { alert: true });
        return;
      }
      await tap.answer(texts.t('toast-avatar-created'));
      await services.chats.setFlow(chatId, { step: 'photos', avatarId: flow.avatarId });
      await services.chats.rememberLocale(chatId, localeFor(ctx.from?.language_code));
      await showAsProgress(ctx, services, flow.avatarId, uploadProgress(texts, result.state));
    },
  };
}
