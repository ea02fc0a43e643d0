import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Kysely's view of the tables the migrations create. */
export interface Schema {
  streams: StreamsTable;
  events: EventsTable;
  avatars: AvatarsTable;
  avatar_photos: AvatarPhotosTable;
  generations: GenerationsTable;
  fal_requests: FalRequestsTable;
  wallets: WalletsTable;
  owner_profiles: OwnerProfilesTable;
  consumer_checkpoints: ConsumerCheckpointsTable;
  inbox: InboxTable;
  outbox: OutboxTable;
  chat_sessions: ChatSessionsTable;
  unreachable_chats: UnreachableChatsTable;
}

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

/** One row per stream: its version for the optimistic check and its cached machine state. */
export interface StreamsTable {
  stream_id: string;
  stream_type: string;
  version: number;
  /** The persisted machine state at `version`, written by the same append; a cache of the log. */
  state: Json | null;
  machine_version: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The append-only log. The database refuses UPDATE, DELETE and TRUNCATE on it. */
export interface EventsTable {
  global_position: Generated<number>;
  /** Transaction id (xid8, as text): consumers read in commit-safe order by (transaction_id, global_position). */
  transaction_id: ColumnType<string, never, never>;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface AvatarsTable {
  avatar_id: string;
  owner_id: number;
  chat_id: number;
  name: string;
  gender: string;
  trainer: string;
  status: string;
  training_stage: string | null;
  photo_count: number;
  /** Flags the machine computed for this state, so queries never compare status strings. */
  can_generate: boolean;
  accepts_photos: boolean;
  is_deleted: boolean;
  trigger_phrase: string | null;
  current_attempt_id: string | null;
  fal_request_id: string | null;
  lora_url: string | null;
  config_url: string | null;
  failure_reason: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AvatarPhotosTable {
  avatar_id: string;
  photo_id: string;
  position: number;
  telegram_file_id: string;
  file_unique_id: string;
  sha256: string;
  width: number;
  height: number;
  bytes: number;
  mime: string;
  added_at: Timestamp;
}

export interface GenerationsTable {
  generation_id: string;
  avatar_id: string;
  owner_id: number;
  chat_id: number;
  prompt: string;
  aspect_ratio: string;
  num_images: number;
  status: string;
  fal_request_id: string | null;
  images: Json<{ url: string; width: number; height: number }[]>;
  seed: string | null;
  failure_reason: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** fal requests by id: how a webhook finds its stream, and what the reconciler polls. */
export interface FalRequestsTable {
  request_id: string;
  kind: 'training' | 'generation';
  stream_id: string;
  attempt_id: string | null;
  endpoint: string;
  submitted_at: Timestamp;
  resolved_at: Timestamp | null;
  next_poll_at: Timestamp;
  polls: ColumnType<number, number | undefined, number>;
}

/** Each user's credits, as the wallet stream folds them (inline projection). */
export interface WalletsTable {
  wallet_id: string;
  owner_id: number;
  /** Credits owned, reserved ones included. */
  balance: number;
  reserved: number;
  open_reservations: number;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Async projection: each owner's main avatar. */
export interface OwnerProfilesTable {
  owner_id: number;
  main_avatar_id: string | null;
  updated_at: Timestamp;
}

export interface ConsumerCheckpointsTable {
  consumer: string;
  transaction_id: string;
  global_position: number;
  updated_at: Timestamp;
}

export type InboxOutcome = 'processing' | 'applied' | 'rejected' | 'unknown_request' | 'failed';

/** Inbound messages (fal webhooks, Telegram updates) by their own id: idempotency and forensics. */
export interface InboxTable {
  source: string;
  message_id: string;
  stream_id: string | null;
  outcome: InboxOutcome;
  detail: Json<Record<string, unknown>> | null;
  payload: string;
  received_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  kind: string;
  stream_id: string;
  payload: Json<Record<string, unknown>>;
  caused_by: string;
  state: ColumnType<'pending' | 'done' | 'dead', 'pending' | undefined, 'pending' | 'done' | 'dead'>;
  attempts: ColumnType<number, number | undefined, number>;
  available_at: Timestamp;
  /** What a worker recorded before an external call whose outcome it might not learn (e.g. "submitting"). */
  progress: Json<Record<string, unknown>> | null;
  last_error: string | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface ChatSessionsTable {
  chat_key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface UnreachableChatsTable {
  chat_id: number;
  reason: string;
  since: Timestamp;
}

export type FalRequestRow = Selectable<FalRequestsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type AvatarRow = Selectable<AvatarsTable>;
export type GenerationRow = Selectable<GenerationsTable>;
export type WalletRow = Selectable<WalletsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type InboxRow = Selectable<InboxTable>;
