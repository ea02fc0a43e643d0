import { avatarNameSchema, genders } from '@avatar/machine';
import { deleteChatSession, readChatSession, releaseChatLease, takeChatLease, writeChatSession, type Store } from '@avatar/store';
import { z } from 'zod';
import type { BotLogger } from './context.js';
import { locales, type Locale } from './i18n/locales.js';

/**
 * Everything the bot remembers between updates lives in chat_sessions, so a restart or another
 * instance continues where the last one stopped. Every record is validated when read: a row
 * written by an older version that no longer parses is treated as absent, not trusted.
 */

const id = z.string().min(1).max(128);

/** What the bot is waiting for in a chat. */
const flowSchema = z.discriminatedUnion('step', [
  /** Creating an avatar: the id is chosen up front, so a repeated answer creates it once. */
  z.object({ step: z.literal('name'), avatarId: id }),
  z.object({ step: z.literal('gender'), avatarId: id, name: avatarNameSchema }),
  z.object({ step: z.literal('trainer'), avatarId: id, name: avatarNameSchema, gender: z.enum(genders) }),
  /** Photos sent now go to this avatar. */
  z.object({ step: z.literal('photos'), avatarId: id }),
  z.object({ step: z.literal('rename'), avatarId: id }),
  z.object({ step: z.literal('prompt'), avatarId: id }),
  z.object({ step: z.literal('aspect'), avatarId: id, generationId: id, prompt: z.string().min(1) }),
]);
export type Flow = z.infer<typeof flowSchema>;

const progressSchema = z.object({ chatId: z.number().int(), messageId: z.number().int().positive() });
export type ProgressMessage = z.infer<typeof progressSchema>;

const localeSchema = z.object({ locale: z.enum(locales) });

const flowKey = (chatId: number) => `flow:${chatId}`;
const progressKey = (avatarId: string) => `progress:${avatarId}`;
const localeKey = (chatId: number) => `locale:${chatId}`;
const drawingKey = (avatarId: string) => `drawing:${avatarId}`;

/** Longer than drawing takes with Telegram's flood-control waits; a crashed drawer's lease ends then. */
const drawingLeaseMs = 30_000;

async function readValid<T>(store: Store, key: string, schema: z.ZodType<T>, logger: BotLogger): Promise<T | null> {
  const raw = await readChatSession(store.db, key);
  if (raw === undefined) return null;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  logger.warn({ key, issues: parsed.error.issues }, 'ignoring a chat session that does not parse');
  return null;
}

export class ChatState {
  constructor(
    private readonly store: Store,
    private readonly logger: BotLogger,
  ) {}

  flow(chatId: number): Promise<Flow | null> {
    return readValid(this.store, flowKey(chatId), flowSchema, this.logger);
  }

  setFlow(chatId: number, flow: Flow): Promise<void> {
    return writeChatSession(this.store.db, flowKey(chatId), flow);
  }

  clearFlow(chatId: number): Promise<void> {
    return deleteChatSession(this.store.db, flowKey(chatId));
  }

  /** The one message that shows an avatar's upload or training progress, edited in place. */
  progressMessage(avatarId: string): Promise<ProgressMessage | null> {
    return readValid(this.store, progressKey(avatarId), progressSchema, this.logger);
  }

  setProgressMessage(avatarId: string, message: ProgressMessage): Promise<void> {
    return writeChatSession(this.store.db, progressKey(avatarId), message);
  }

  /** The right to draw an avatar's progress message, held by one drawer at a time (see showLatestProgress). */
  takeDrawingLease(avatarId: string, holder: string): Promise<boolean> {
    return takeChatLease(this.store.db, drawingKey(avatarId), holder, drawingLeaseMs);
  }

  releaseDrawingLease(avatarId: string, holder: string): Promise<void> {
    return releaseChatLease(this.store.db, drawingKey(avatarId), holder);
  }

  /** The language notifications to this chat are written in (the worker has no update to read it from). */
  async locale(chatId: number): Promise<Locale | null> {
    return (await readValid(this.store, localeKey(chatId), localeSchema, this.logger))?.locale ?? null;
  }

  async rememberLocale(chatId: number, locale: Locale): Promise<void> {
    if ((await this.locale(chatId)) !== locale) await writeChatSession(this.store.db, localeKey(chatId), { locale });
  }
}

/** The steps of creating an avatar, before it exists. */
export type CreationFlow = Extract<Flow, { step: 'name' | 'gender' | 'trainer' }>;

export function isCreating(flow: Flow | null): flow is CreationFlow {
  return flow?.step === 'name' || flow?.step === 'gender' || flow?.step === 'trainer';
}
