import type { Store } from '@avatar/store';
import type { TelegramFiles } from '@avatar/telegram-files';
import type { ChatState } from '../chat-state.js';
import type { BotLogger } from '../context.js';
import type { Pricing } from '../pricing.js';
import type { ChatActions } from '../telegram/chat-actions.js';

/** What the handlers work with; built once per bot. */
export interface BotServices {
  store: Store;
  files: TelegramFiles;
  chats: ChatState;
  chatActions: ChatActions;
  logger: BotLogger;
  /** Images per generation: 2 or more arrive as an album. */
  imagesPerGeneration: number;
  pricing: Pricing;
}
