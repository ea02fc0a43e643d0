import type { Update } from '@grammyjs/types';

export type UpdatePayload = Omit<Update, 'update_id'>;

export type UpdateType = Exclude<keyof Update, 'update_id'>;

// A Record, so that the compiler insists on every update type.
const updateTypes: Record<UpdateType, true> = {
  message: true, edited_message: true, channel_post: true, edited_channel_post: true, business_connection: true,
  business_message: true, edited_business_message: true, deleted_business_messages: true, guest_message: true,
  stopped_message_generation: true, message_reaction: true, message_reaction_count: true, inline_query: true,
  chosen_inline_result: true, callback_query: true, shipping_query: true, pre_checkout_query: true,
  purchased_paid_media: true, poll: true, poll_answer: true, my_chat_member: true, chat_member: true,
  chat_join_request: true, chat_boost: true, removed_chat_boost: true, managed_bot: true, subscription: true,
};

export const isUpdateType = (type: string): type is UpdateType => Object.hasOwn(updateTypes, type);

/** Sent only to bots that ask for them in `allowed_updates`. */
const optInTypes: ReadonlySet<string> = new Set<UpdateType>(['chat_member', 'message_reaction', 'message_reaction_count']);

const typeOf = (update: UpdatePayload) => Object.keys(update)[0] ?? '';

/**
 * The bot's pending updates, in update_id order. An update leaves the queue when it is confirmed:
 * by a later getUpdates offset, or by a successful webhook delivery.
 */
export class UpdateQueue {
  private lastUpdateId = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  private pending: Update[] = [];
  private allowed: ReadonlySet<UpdateType> | undefined;
  private readonly listeners = new Set<() => void>();

  /** Queues an update unless the bot's `allowed_updates` exclude its type. */
  push(payload: UpdatePayload): void {
    const type = typeOf(payload);
    const allowed = this.allowed === undefined ? !optInTypes.has(type) : isUpdateType(type) && this.allowed.has(type);
    if (!allowed) return;
    this.pending.push({ update_id: ++this.lastUpdateId, ...payload });
    for (const listener of [...this.listeners]) listener();
  }

  /** An empty list means the default set, as in the Bot API; undefined keeps the previous setting. */
  setAllowedUpdates(types: readonly UpdateType[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? undefined : new Set(types);
  }

  allowedUpdates(): UpdateType[] | undefined {
    return this.allowed && [...this.allowed];
  }

  /** getUpdates `offset`: positive confirms every earlier update; negative keeps only the last -offset ones. */
  applyOffset(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  peek(limit: number): Update[] {
    return this.pending.slice(0, limit);
  }

  remove(updateId: number): void {
    this.pending = this.pending.filter((u) => u.update_id !== updateId);
  }

  clear(): void {
    this.pending = [];
  }

  get size(): number {
    return this.pending.length;
  }

  /** Calls `listener` after every queued update; returns the unsubscribe function. */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
