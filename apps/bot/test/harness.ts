import type { Store } from '@avatar/store';
import { openThroughProxy, testBackends, type DatabaseProxy, type TestBackend, type TestStore } from '@avatar/store/testing';
import { startTelegramEmulator, type EmulatedUser, type TelegramEmulator, type UserProfile } from '@avatar/telegram-emulator';
import Fastify, { type FastifyInstance } from 'fastify';
import { suite, type Test } from 'uvu';
import { createBot, startNotifier, runPolling, webhookRoute, type AvatarBot, type BotLogger, type Notifier } from '../src/index.js';
import { defaultPricing, type Pricing } from '../src/pricing.js';

export type Mode = 'polling' | 'webhook';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  details: object;
  message: string;
}

/** Keeps what the bot logs, for assertions such as "a stale button was logged". */
export function recordingLogger(entries: LogEntry[]): BotLogger {
  const at = (level: LogEntry['level']) => (details: object, message: string) => {
    entries.push({ level, details, message });
    if (process.env.TEST_LOG && level !== 'debug') console.log(level, message, details);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Harness {
  mode: Mode;
  backend: TestBackend['name'];
  tg: TelegramEmulator;
  store: TestStore;
  /** Between the bot and Postgres when the harness was asked for one: take the database away and back. */
  database: DatabaseProxy | null;
  bot: AvatarBot;
  /** Where Telegram delivers updates in webhook mode. */
  webhookUrl: string | null;
  logs: LogEntry[];
  user(profile?: Partial<UserProfile>): EmulatedUser;
  /** Stops the bot and starts a new one on the same database and emulator, as a deploy would. */
  restartBot(): Promise<void>;
  /** Something a test started on this harness, closed before the harness (its database) is. */
  closeWith(close: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode: Mode;
  backend: TestBackend;
  imagesPerGeneration?: number;
  /** Start the notifier (default true). */
  notifier?: boolean;
  /**
   * Webhook mode answers Telegram after this long and handles the update on (default 8 s). A
   * short one makes the emulator deliver the next update meanwhile: the updates of one album are
   * then handled at once, as Telegram's parallel webhook connections or several instances do.
   */
  answerWithinMs?: number;
  /** Webhook mode: this many bot instances on the one database, updates dealt round-robin (default 1). */
  instances?: number;
  /** On Postgres, the bot reaches the database through a `DatabaseProxy` (`Harness.database`). */
  throughProxy?: boolean;
  /** Default: the real prices with a welcome grant large enough that tests about other things never run out. */
  pricing?: Pricing;
}

export const plentyOfCredits: Pricing = { ...defaultPricing, welcomeCredits: 100_000 };

export const webhookSecret = 'test-webhook-secret_1';

interface RunningBot {
  bot: AvatarBot;
  webhookUrl: string | null;
  notifier: Notifier | undefined;
  stop(): Promise<void>;
}

async function startBot(tg: TelegramEmulator, store: Store, logger: BotLogger, options: HarnessOptions): Promise<RunningBot> {
  const bot = createBot({
    store,
    token: tg.token,
    apiRoot: tg.apiRoot,
    botInfo: tg.botInfo,
    logger,
    imagesPerGeneration: options.imagesPerGeneration ?? 2,
    pricing: options.pricing ?? plentyOfCredits,
    retryLimits: { maxRetryAttempts: 2, maxDelaySeconds: 3 },
    chatActionTiming: { intervalMs: 1000, maxMs: 30_000 },
  });
  let stopUpdates: () => Promise<void>;
  let server: FastifyInstance | undefined;
  let webhookUrl: string | null = null;
  if (options.mode === 'polling') {
    const polling = await runPolling(bot.bot, { timeoutSeconds: 1 });
    stopUpdates = () => polling.stop();
  } else {
    server = Fastify();
    webhookRoute(server, bot.bot, {
      path: '/telegram',
      secretToken: webhookSecret,
      store,
      logger,
      ...(options.answerWithinMs !== undefined ? { answerWithinMs: options.answerWithinMs } : {}),
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const address = server.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    webhookUrl = `http://127.0.0.1:${address.port}/telegram`;
    stopUpdates = async () => {
      await server?.close();
    };
  }
  const notifier = options.notifier === false ? undefined : startNotifier({ store, api: bot.bot.api, logger, idleMs: 200 });
  return {
    bot,
    webhookUrl,
    notifier,
    async stop() {
      await stopUpdates();
      bot.close();
      await notifier?.stop();
    },
  };
}

/**
 * The bot as deployed: one instance, or in webhook mode several on the same database behind a
 * front that deals Telegram's deliveries to them in turn (a load balancer's round robin).
 */
async function startBots(tg: TelegramEmulator, store: Store, logger: BotLogger, options: HarnessOptions): Promise<RunningBot> {
  const count = options.mode === 'webhook' ? (options.instances ?? 1) : 1;
  const bots: RunningBot[] = [];
  for (let n = 0; n < count; n++) bots.push(await startBot(tg, store, logger, options));
  const [first] = bots as [RunningBot, ...RunningBot[]];
  if (options.mode === 'polling') return first;
  const front = count === 1 ? null : await roundRobin(bots.map((bot) => bot.webhookUrl!));
  const webhookUrl = front?.url ?? first.webhookUrl!;
  await first.bot.bot.api.setWebhook(webhookUrl, { secret_token: webhookSecret });
  return {
    bot: first.bot,
    webhookUrl,
    notifier: first.notifier,
    async stop() {
      await first.bot.bot.api.deleteWebhook();
      await front?.close();
      for (const bot of bots) await bot.stop();
    },
  };
}

/** Forwards each POST to the next of `targets` in turn, answering with its answer. */
async function roundRobin(targets: readonly string[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const front = Fastify();
  front.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  front.post('/telegram', async (request, reply) => {
    const target = targets[next++ % targets.length]!;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = request.headers['x-telegram-bot-api-secret-token'];
    if (typeof secret === 'string') headers['x-telegram-bot-api-secret-token'] = secret;
    const answer = await fetch(target, { method: 'POST', headers, body: request.body as string });
    return reply.code(answer.status).header('content-type', answer.headers.get('content-type') ?? 'text/plain').send(await answer.text());
  });
  await front.listen({ port: 0, host: '127.0.0.1' });
  const address = front.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}/telegram`, close: () => front.close() };
}

/** The Telegram emulator, a fresh database, the bot by long polling or webhook, and its notifier. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const logs: LogEntry[] = [];
  const logger = recordingLogger(logs);
  const tg = await startTelegramEmulator({ timeoutMs: 20_000, webhook: { retryDelayMs: 50, maxRetryDelayMs: 500 } });
  const store = await options.backend.open();
  const proxied = options.throughProxy && store.backend === 'postgres' ? await openThroughProxy(store, { poolSize: 10 }) : null;
  const botStore = proxied?.store ?? store;
  let running = await startBots(tg, botStore, logger, options);
  let users = 0;
  const attached: (() => Promise<void>)[] = [];
  return {
    mode: options.mode,
    backend: options.backend.name,
    tg,
    store,
    database: proxied?.proxy ?? null,
    get bot() {
      return running.bot;
    },
    get webhookUrl() {
      return running.webhookUrl;
    },
    logs,
    user: (profile = {}) => tg.user({ firstName: `User${++users}`, languageCode: 'en', ...profile }),
    async restartBot() {
      await running.stop();
      running = await startBots(tg, botStore, logger, options);
    },
    closeWith(close) {
      attached.push(close);
    },
    async close() {
      for (const close of attached.reverse()) await close();
      await running.stop();
      await tg.close();
      await proxied?.close();
      await store.close();
    },
  };
}

export interface SuiteContext {
  h: Harness;
}

/** One suite per database backend and mode, each with its own emulator, database and bot. */
export function botSuites(
  name: string,
  define: (test: Test<SuiteContext>, variant: { mode: Mode; backend: TestBackend['name'] }) => void,
  {
    modes = ['polling'] as Mode[],
    backends = ['pglite', 'postgres'],
    ...options
  }: { modes?: Mode[]; backends?: TestBackend['name'][] } & Pick<HarnessOptions, 'imagesPerGeneration' | 'notifier' | 'answerWithinMs' | 'instances' | 'throughProxy' | 'pricing'> = {},
): void {
  for (const backend of testBackends().filter((b) => backends.includes(b.name))) {
    for (const mode of modes) {
      const test = suite<SuiteContext>(`${name} [${backend.name}, ${mode}]`, { h: undefined as never });
      test.before(async (ctx) => {
        ctx.h = await startHarness({ mode, backend, ...options });
      });
      test.after(async (ctx) => {
        await ctx.h?.close();
      });
      define(test, { mode, backend: backend.name });
      test.run();
    }
  }
}
