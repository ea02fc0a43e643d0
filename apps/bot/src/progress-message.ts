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
