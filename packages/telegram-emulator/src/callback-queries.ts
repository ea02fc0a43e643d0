import { randomInt } from 'node:crypto';
import { badRequest, reasons } from './errors.js';

/** How the bot answered a callback query (the toast or alert the user sees). */
export interface CallbackAnswer {
  text?: string;
  showAlert: boolean;
  url?: string;
}

/** A button press sent to the bot. */
export interface CallbackQueryInfo {
  id: string;
  userId: number;
  messageId: number;
  buttonText: string;
  data: string;
}

interface Entry {
  query: CallbackQueryInfo;
  answered: boolean;
  resolve: (answer: CallbackAnswer) => void;
}

/** Every callback query must be answered exactly once; the emulator remembers the ones that were not. */
export class CallbackQueries {
  private readonly entries = new Map<string, Entry>();
  // Telegram's ids are long decimal strings; a random prefix keeps them unique across emulators.
  private readonly idPrefix = String(randomInt(1_000_000, 9_999_999));
  private count = 0;

  /** Registers a press; the promise settles when the bot answers it. */
  open(query: Omit<CallbackQueryInfo, 'id'>): { id: string; answer: Promise<CallbackAnswer> } {
    const id = `${this.idPrefix}${String(++this.count).padStart(12, '0')}`;
    const answer = new Promise<CallbackAnswer>((resolve) => {
      this.entries.set(id, { query: { id, ...query }, answered: false, resolve });
    });
    return { id, answer };
  }

  answer(id: string, answer: CallbackAnswer): CallbackQueryInfo {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.answered) throw badRequest(reasons.queryTooOld);
    entry.answered = true;
    entry.resolve(answer);
    return entry.query;
  }

  unanswered(): CallbackQueryInfo[] {
    return [...this.entries.values()].filter((e) => !e.answered).map((e) => e.query);
  }
}
