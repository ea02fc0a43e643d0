import { Bot, GrammyError } from 'grammy';
import type { TelegramEmulator } from '../src/index.js';

/** A grammY bot pointed at the emulator, built with botInfo so it never needs getMe. */
export function createBot(tg: TelegramEmulator): Bot {
  return new Bot(tg.token, { botInfo: tg.botInfo, client: { apiRoot: tg.apiRoot } });
}

/** Starts long polling; resolves once the first getUpdates is under way. Returns the stop function. */
export async function startPolling(bot: Bot): Promise<() => Promise<void>> {
  let failure: unknown;
  await new Promise<void>((resolve, reject) => {
    bot.start({ timeout: 10, onStart: () => resolve() }).catch((error: unknown) => {
      failure = error;
      reject(error);
    });
  });
  return async () => {
    await bot.stop();
    if (failure !== undefined) throw failure;
  };
}

/** The Bot API error a call fails with; fails the test if the call succeeds. */
export async function apiError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error('expected the Bot API call to fail, but it succeeded');
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw Bot API call, for what grammY would not send as is. */
export async function rawCall(tg: TelegramEmulator, method: string, params: Record<string, unknown> = {}) {
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
