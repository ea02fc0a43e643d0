import { abilitiesOf, isDeleted, type AvatarState } from '@avatar/machine';
import { avatarsOf, loadAvatar, mainAvatarOf } from '@avatar/store';
import type { ActionHandlers } from '../actions/router.js';
import { isCreating, type Flow } from '../chat-state.js';
import type { BotContext } from '../context.js';
import { avatarCard, avatarList } from '../views/avatar.js';
import { help, home } from '../views/home.js';
import { isMainAvatar, ownedAvatar } from './access.js';
import { chatIdOf, send, show, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';
import { ensureWallet } from './wallet.js';

/** The owner's avatars that still exist, oldest first, as their machines see them. */
export async function liveAvatarsOf(services: BotServices, ownerId: number): Promise<AvatarState[]> {
  const views = await avatarsOf(services.store.db, ownerId);
  const states = await Promise.all(views.map(async (view) => (await loadAvatar(services.store, view.avatarId))?.state ?? null));
  return states.filter((state): state is AvatarState => state !== null && !isDeleted(state));
}

function creationOf(flow: Flow | null): { name: string | null } | null {
  if (!isCreating(flow)) return null;
  return { name: flow.step === 'name' ? null : flow.name };
}

async function homeScreen(ctx: BotContext, services: BotServices) {
  const userId = userIdOf(ctx);
  const avatars = await liveAvatarsOf(services, userId);
  const main = await mainAvatarOf(services.store.db, userId);
  return home(textsOf(ctx), {
    firstName: ctx.from?.first_name ?? '',
    unfinished: avatars.filter((state) => {
      const abilities = abilitiesOf(state);
      return abilities.addPhotos || abilities.startTraining;
    }),
    creating: creationOf(await services.chats.flow(chatIdOf(ctx))),
    main: avatars.find((state) => state.context.avatarId === main?.avatarId) ?? null,
  });
}

async function listScreen(ctx: BotContext, services: BotServices, page = 0) {
  const userId = userIdOf(ctx);
  const avatars = await liveAvatarsOf(services, userId);
  const main = await mainAvatarOf(services.store.db, userId);
  return avatarList(
    textsOf(ctx),
    avatars.map((state) => ({ state, isMain: state.context.avatarId === main?.avatarId })),
    page,
  );
}

export function navigationCommands(services: BotServices) {
  return {
    start: async (ctx: BotContext) => {
      await ensureWallet(ctx, services);
      await send(ctx, await homeScreen(ctx, services));
    },
    avatars: async (ctx: BotContext) => {
      await send(ctx, await listScreen(ctx, services));
    },
    help: async (ctx: BotContext) => {
      await send(ctx, help(textsOf(ctx)));
    },
    cancel: async (ctx: BotContext) => {
      await services.chats.clearFlow(chatIdOf(ctx));
      const view = await homeScreen(ctx, services);
      await send(ctx, { ...view, text: textsOf(ctx).fmt('flow-cancelled') });
    },
  };
}

export function navigationActions(services: BotServices): Pick<ActionHandlers, 'home' | 'listAvatars' | 'openAvatar'> {
  return {
    async home(ctx, _params, tap) {
      await tap.answer();
      await show(ctx, await homeScreen(ctx, services));
    },

    async listAvatars(ctx, { page }, tap) {
      await tap.answer();
      await show(ctx, await listScreen(ctx, services, page));
    },

    async openAvatar(ctx, { avatar }, tap) {
      const state = await ownedAvatar(ctx, services, tap, avatar);
      if (state === null) return;
      // The last avatar opened that takes photos gets the photos sent next, unless one is being created.
      const chatId = chatIdOf(ctx);
      if (abilitiesOf(state).addPhotos && !isCreating(await services.chats.flow(chatId))) {
        await services.chats.setFlow(chatId, { step: 'photos', avatarId: avatar });
      }
      await tap.answer();
      await show(ctx, avatarCard(textsOf(ctx), state, { isMain: await isMainAvatar(services, state) }));
    },
  };
}
