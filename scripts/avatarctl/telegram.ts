/**
 * The one Bot API call avatarctl makes (refundStarPayment), over plain HTTP: the operator tool
 * does not load the bot or grammY for it. The settings are checked like the bot checks its own.
 */

export interface TelegramConfig {
  token: string;
  /** No trailing slash. */
  apiRoot: string;
}

export class TelegramConfigError extends Error {
  override name = 'TelegramConfigError';
}

const defaultApiRoot = 'https://api.telegram.org';
/** The bot's own rule (apps/bot/src/config.ts): `<bot id>:<at least 20 of A-Z a-z 0-9 _ ->`. */
const tokenPattern = /^\d+:[\w-]{20,}$/;

/** TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT, or an error that lists everything wrong with them. */
export function telegramConfigFromEnv(env: Readonly<Record<string, string | undefined>>): TelegramConfig {
  const problems: string[] = [];
  const token = env.TELEGRAM_BOT_TOKEN?.trim() ?? '';
  if (token === '') problems.push('TELEGRAM_BOT_TOKEN is required (the token @BotFather gave the bot)');
  else if (!tokenPattern.test(token)) problems.push('TELEGRAM_BOT_TOKEN does not look like a bot token ("123456:ABC…")');

  const rawRoot = env.TELEGRAM_API_ROOT?.trim() ?? '';
  let apiRoot = defaultApiRoot;
  if (rawRoot !== '') {
    let url: URL | null = null;
    try {
      url = new URL(rawRoot);
    } catch {
      // reported below
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push(`TELEGRAM_API_ROOT must be an http(s) URL, got "${rawRoot}"`);
    } else {
      apiRoot = rawRoot.replace(/\/+$/, '');
    }
  }
  if (problems.length > 0) throw new TelegramConfigError(`refund-stars needs the bot's Telegram settings; fix these:\n  ${problems.join('\n  ')}`);
  return { token, apiRoot };
}

export type RefundOutcome =
  | { kind: 'refunded' }
  /** Telegram answered CHARGE_ALREADY_REFUNDED: an earlier run (or someone else) refunded it. */
  | { kind: 'already_refunded' }
  | { kind: 'failed'; reason: string };

interface BotApiAnswer {
  ok?: unknown;
  result?: unknown;
  error_code?: unknown;
  description?: unknown;
}

/** Never let the token reach a message (it is part of the request URL). */
function redact(text: string, token: string): string {
  return token === '' ? text : text.split(token).join('<token>');
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * Asks Telegram to give a Stars payment back to the user who paid it. Telegram's own answer
 * CHARGE_ALREADY_REFUNDED counts as done: the call is idempotent for the operator.
 */
export async function refundStarPayment(
  fetch: typeof globalThis.fetch,
  config: TelegramConfig,
  { userId, telegramPaymentChargeId }: { userId: number; telegramPaymentChargeId: string },
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<RefundOutcome> {
  const url = `${config.apiRoot}/bot${config.token}/refundStarPayment`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: userId, telegram_payment_charge_id: telegramPaymentChargeId }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { kind: 'failed', reason: redact(`cannot reach the Bot API at ${config.apiRoot}: ${causeOf(error)}`, config.token) };
  }
  let answer: BotApiAnswer | null = null;
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed === 'object' && parsed !== null) answer = parsed as BotApiAnswer;
  } catch {
    // not JSON: reported below by its status
  }
  if (answer?.ok === true && response.ok) return { kind: 'refunded' };
  const description = typeof answer?.description === 'string' ? answer.description : null;
  const code = typeof answer?.error_code === 'number' ? answer.error_code : response.status;
  if (code === 400 && description !== null && /\bCHARGE_ALREADY_REFUNDED\b/.test(description)) return { kind: 'already_refunded' };
  const said = description ?? (answer === null ? 'an answer that is not Bot API JSON' : 'no description');
  return { kind: 'failed', reason: redact(`the Bot API answered ${code}: ${said}`, config.token) };
}
