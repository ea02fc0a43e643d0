import { randomUUID } from 'node:crypto';
import type { Api } from 'grammy';
import type { ChatState } from './chat-state.js';
import { editScreen, sendScreen, type Screen } from './telegram/screens.js';

/**
 * One message per avatar shows its upload or training progress and is edited in place; a new one
 * is sent only when there is none yet or the old one can no longer be edited. `inMessage` makes a
 * message the user tapped in the progress message, recorded before it is edited so a notification
 * arriving right after finds it.
 */
export async function showProgress(
  api: Api,
  chats: ChatState,
  chatId: number,
  avatarId: string,
  view: Screen,
  inMessage?: number,
): Promise<number> {
  if (inMessage !== undefined) await chats.setProgressMessage(avatarId, { chatId, messageId: inMessage });
  const stored = await chats.progressMessage(avatarId);
  if (stored !== null && stored.chatId === chatId && (await editScreen(api, chatId, stored.messageId, view)) !== 'gone') {
    return stored.messageId;
  }
  const sent = await sendScreen(api, chatId, view);
  await chats.setProgressMessage(avatarId, { chatId, messageId: sent.message_id });
  return sent.message_id;
}

/** Brings an existing progress message up to date, if there is one; never sends a new message. */
export async function refreshProgress(api: Api, chats: ChatState, avatarId: string, view: Screen): Promise<void> {
  const stored = await chats.progressMessage(avatarId);
  if (stored !== null) await editScreen(api, stored.chatId, stored.messageId, view);
}

/**
 * Draws the avatar's progress from the avatar as it is when drawn, for updates that other
 * instances may be handling at the same time (an album's photos). Without care an older count can
 * be drawn last: an edit that waits out flood control lands after a newer one. So one drawer at a
 * time holds the avatar's drawing lease; an update that finds it taken leaves the drawing to the
 * holder, which looks again after releasing it and draws once more if the avatar moved on. (An
 * update's change is committed before it asks for the lease, and the holder looks after releasing
 * it, so the last change is always drawn.)
 */
export async function showLatestProgress(
  api: Api,
  chats: ChatState,
  chatId: number,
  avatarId: string,
  latest: () => Promise<{ version: number; view: Screen } | null>,
): Promise<void> {
  let drawn: number | null = null;
  for (;;) {
    const holder = randomUUID();
    if (!(await chats.takeDrawingLease(avatarId, holder))) return;
    try {
      const now = await latest();
      if (now === null || now.version === drawn) return;
      await showProgress(api, chats, chatId, avatarId, now.view);
      drawn = now.version;
    } finally {
      await chats.releaseDrawingLease(avatarId, holder);
    }
    if ((await latest())?.version === drawn) return;
  }
}
