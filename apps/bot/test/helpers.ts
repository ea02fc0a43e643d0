import type { EventOf } from '@avatar/machine';
import { avatarsOf, dispatch, loadAvatar, readStream, type Store } from '@avatar/store';
import { makeTestImage, type ChatMessage, type EmulatedUser } from '@avatar/telegram-emulator';

/** Generous: the machine is slow and shared. */
export const waitMs = 20_000;

let seeds = 0;

/** A distinct PNG photo (fresh pixels, so a fresh SHA-256) of the given size. */
export function photo(width = 640, height = 800): Uint8Array {
  return makeTestImage({ width, height, seed: `photo-${process.pid}-${++seeds}` });
}

export function photos(count: number, width = 640, height = 800): Uint8Array[] {
  return Array.from({ length: count }, () => photo(width, height));
}

export function hasText(fragment: string) {
  return (message: ChatMessage) => message.text?.includes(fragment) ?? false;
}

export function waitForText(user: EmulatedUser, fragment: string, timeoutMs = waitMs): Promise<ChatMessage> {
  return user.waitForBotMessage(hasText(fragment), { timeoutMs });
}

/** Bot messages (still in the chat) whose text contains the fragment. */
export function botMessagesWith(user: EmulatedUser, fragment: string): ChatMessage[] {
  return user.messagesFromBot().filter(hasText(fragment));
}

export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates an avatar through the chat, as a user would; returns its id. */
export async function createAvatarInChat(
  user: EmulatedUser,
  name: string,
  { gender = 'Female', trainer = 'Portrait' }: { gender?: string; trainer?: string } = {},
  store: Store,
): Promise<string> {
  const before = new Set((await avatarsOf(store.db, user.id)).map((a) => a.avatarId));
  await user.sendCommand('/new');
  await user.waitForBotMessage((m) => m.text?.includes('called?') ?? false, { timeoutMs: waitMs });
  await user.sendText(name);
  await user.waitForBotMessage((m) => m.buttons.flat().some((b) => b.text === gender), { timeoutMs: waitMs });
  await user.tap(gender);
  await user.waitForBotMessage((m) => m.buttons.flat().some((b) => b.text.startsWith(trainer)), { timeoutMs: waitMs });
  await user.tap((b) => b.text.startsWith(trainer));
  await waitForText(user, `Photos for ${name}`);
  const created = (await avatarsOf(store.db, user.id)).find((a) => !before.has(a.avatarId));
  if (created === undefined) throw new Error(`no avatar named ${name} was created`);
  return created.avatarId;
}

export async function photoCount(store: Store, avatarId: string): Promise<number> {
  return (await loadAvatar(store, avatarId))?.state?.context.photos.length ?? 0;
}

export async function eventTypes(store: Store, streamId: string): Promise<string[]> {
  return (await readStream(store.db, streamId)).map((e) => e.type);
}

let photoNumber = 0;

/** Builds an avatar straight in the store (the chat is not what such a test is about). */
export async function seedAvatar(
  store: Store,
  owner: EmulatedUser,
  { name = 'Seeded', photos: count = 0 }: { name?: string; photos?: number } = {},
): Promise<string> {
  const avatarId = crypto.randomUUID();
  const actor = { actor: { kind: 'user' as const, userId: owner.id } };
  const created: EventOf<'AvatarCreated'> = {
    type: 'AvatarCreated',
    avatarId,
    ownerId: owner.id,
    chatId: owner.id,
    name,
    gender: 'female',
    trainer: 'portrait',
  };
  await dispatch(store, avatarId, created, actor);
  for (let i = 0; i < count; i++) {
    const n = ++photoNumber;
    const added: EventOf<'PhotoAdded'> = {
      type: 'PhotoAdded',
      photoId: `seeded-${n}`,
      telegramFileId: `seeded-file-${n}`,
      fileUniqueId: `seeded-unique-${n}`,
      sha256: n.toString(16).padStart(64, 'a'),
      width: 1024,
      height: 1280,
      bytes: 300_000,
      mime: 'image/jpeg',
    };
    await dispatch(store, avatarId, added, actor);
  }
  return avatarId;
}

export const hasButton = (label: string) => (m: ChatMessage) => m.buttons.flat().some((b) => b.text === label);

/**
 * Taps a button once the bot shows it. The bot answers a tap before it redraws the message, so a
 * tap on the next button has to wait for the redraw, as a person would.
 */
export async function press(user: EmulatedUser, label: string | ((text: string) => boolean), options: { messageId?: number } = {}) {
  const matches = typeof label === 'string' ? (text: string) => text === label : label;
  const message = await user.waitForBotMessage(
    (m) => (options.messageId === undefined || m.messageId === options.messageId) && m.buttons.flat().some((b) => matches(b.text)),
    { timeoutMs: waitMs },
  );
  return user.tap((b) => matches(b.text), { messageId: message.messageId });
}
