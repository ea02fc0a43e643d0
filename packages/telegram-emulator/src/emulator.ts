import { randomBytes, randomInt } from 'node:crypto';
import type { UserFromGetMe } from '@grammyjs/types';
import { BotState } from './bot-state.js';
import type { CallbackQueryInfo } from './callback-queries.js';
import { Dispatcher, type ApiCall } from './dispatcher.js';
import { EmulatedUser, type UserProfile } from './emulated-user.js';
import { FaultInjection, type FailureOptions } from './fault-injection.js';
import { ApiParams } from './http/api-params.js';
import { createBotApiServer } from './http/server.js';
import { createMethods } from './methods/index.js';
import type { StarLedgerEntry } from './payments.js';
import type { WebhookTiming } from './webhook.js';

export interface TelegramEmulatorOptions {
  /** Default: a random token of the real format (`<bot id>:<35 characters>`). */
  token?: string;
  /** Default 0: a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  botUsername?: string;
  botName?: string;
  /** How long `tap` and `waitForBotMessage` wait by default (5000 ms). */
  timeoutMs?: number;
  /** Webhook redelivery: first delay 100 ms, doubling up to 2000 ms; a delivery times out after 10 s. */
  webhook?: Partial<WebhookTiming>;
  /** How long the bot has to answer a pre_checkout_query before the payment fails (Telegram: 10 s). */
  preCheckoutTimeoutMs?: number;
}

export interface TelegramEmulator {
  /** For grammY's `client.apiRoot`, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  /** What getMe returns, for grammY's `botInfo` option so that a bot never needs to call getMe. */
  readonly botInfo: UserFromGetMe;
  /** Every Bot API call so far, in order. */
  readonly calls: readonly ApiCall[];
  /** Adds a Telegram user who can talk to the bot. */
  user(profile: UserProfile): EmulatedUser;
  /** Callback queries the bot has not answered (yet). */
  unansweredCallbacks(): CallbackQueryInfo[];
  /** Makes the next `count` calls of `method` (optionally for one chat) fail, by default with 429 flood control. */
  failNext(method: string, options?: FailureOptions): void;
  /** The bytes of a file Telegram holds, e.g. a photo the bot sent. */
  fileBytes(fileId: string): Uint8Array;
  /** The bot's Star transactions, oldest first: each payment (with whether it was refunded) and each refund. */
  starTransactions(): StarLedgerEntry[];
  /** The bot's Stars: payments minus refunds (what getMyStarBalance answers). */
  starBalance(): number;
  close(): Promise<void>;
}

const defaultWebhookTiming: WebhookTiming = { retryDelayMs: 100, maxRetryDelayMs: 2000, requestTimeoutMs: 10_000 };

function randomToken(): string {
  const secret = randomBytes(27).toString('base64url').slice(0, 35);
  return `${randomInt(1_000_000_000, 8_000_000_000)}:${secret}`;
}

function botInfoFor(token: string, options: TelegramEmulatorOptions): UserFromGetMe {
  const id = Number(token.split(':')[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error('a bot token starts with the bot id, e.g. "123456:ABC..."');
  return {
    id,
    is_bot: true,
    first_name: options.botName ?? 'Avatar Bot',
    username: options.botUsername ?? 'avatar_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

/** Starts a loopback Telegram Bot API for one bot, with a test-side API to play its users. */
export async function startTelegramEmulator(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const token = options.token ?? randomToken();
  const botInfo = botInfoFor(token, options);
  const timeoutMs = options.timeoutMs ?? 5000;
  const neverCancelled = new AbortController().signal;

  // A webhook may answer an update with a method call; it runs like any other call.
  const state = new BotState(
    token,
    botInfo,
    { ...defaultWebhookTiming, ...options.webhook },
    async (method, params) => {
      await dispatcher.call(method, async () => new ApiParams(params), neverCancelled);
    },
    options.preCheckoutTimeoutMs ?? 10_000,
  );
  const faults = new FaultInjection();
  const dispatcher = new Dispatcher(createMethods(state), faults);
  const server = createBotApiServer(token, dispatcher, state.files);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the emulator must listen on a TCP port');
  const { port } = address;

  const usedIds = new Set<number>();
  let nextUserId = 100_000_001;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    botInfo,
    calls: dispatcher.calls,

    user(profile) {
      while (profile.id === undefined && usedIds.has(nextUserId)) nextUserId++;
      const id = profile.id ?? nextUserId++;
      usedIds.add(id);
      const conversation = state.addConversation({
        id,
        is_bot: false,
        first_name: profile.firstName,
        ...(profile.lastName !== undefined && { last_name: profile.lastName }),
        ...(profile.username !== undefined && { username: profile.username }),
        ...(profile.languageCode !== undefined && { language_code: profile.languageCode }),
      });
      return new EmulatedUser(state, conversation, { timeoutMs, botName: botInfo.first_name });
    },

    unansweredCallbacks: () => state.callbacks.unanswered(),

    failNext: (method, failure = {}) => faults.add(method, failure),

    fileBytes(fileId) {
      const file = state.files.get(fileId);
      if (file === undefined) throw new Error(`no file with file_id ${fileId}`);
      return file.bytes;
    },

    starTransactions: () => state.payments.entries(),

    starBalance: () => state.payments.balance(),

    async close() {
      state.webhook.close();
      state.payments.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
