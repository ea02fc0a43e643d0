import {
  isAspectRatio,
  isAvatarStatus,
  isGenerationStatus,
  isTrainer,
  type AspectRatio,
  type AvatarStatus,
  type GenerationStatus,
  type Trainer,
} from '@avatar/machine';
import type { Kysely } from 'kysely';
import type { Store } from './database.js';
import type { AvatarRow, GenerationRow, Schema } from './schema.js';
import { loadStream, type LoadedStream } from './stream-state.js';

/** An avatar as the read model has it, with its status checked against the machine's union. */
export interface AvatarView {
  avatarId: string;
  ownerId: number;
  chatId: number;
  name: string;
  trainer: Trainer;
  status: AvatarStatus;
  trainingStage: string | null;
  photoCount: number;
  canGenerate: boolean;
  acceptsPhotos: boolean;
  isDeleted: boolean;
  triggerPhrase: string | null;
  currentAttemptId: string | null;
  falRequestId: string | null;
  loraUrl: string | null;
  failureReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export class ReadModelError extends Error {
  override name = 'ReadModelError';
}

export function toAvatarView(row: AvatarRow): AvatarView {
  if (!isAvatarStatus(row.status)) throw new ReadModelError(`avatar ${row.avatar_id} has unknown status "${row.status}"`);
  if (!isTrainer(row.trainer)) throw new ReadModelError(`avatar ${row.avatar_id} has unknown trainer "${row.trainer}"`);
  return {
    avatarId: row.avatar_id,
    ownerId: row.owner_id,
    chatId: row.chat_id,
    name: row.name,
    trainer: row.trainer,
    status: row.status,
    trainingStage: row.training_stage,
    photoCount: row.photo_count,
    canGenerate: row.can_generate,
    acceptsPhotos: row.accepts_photos,
    isDeleted: row.is_deleted,
    triggerPhrase: row.trigger_phrase,
    currentAttemptId: row.current_attempt_id,
    falRequestId: row.fal_request_id,
    loraUrl: row.lora_url,
    failureReason: row.failure_reason,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findAvatar(db: Kysely<Schema>, avatarId: string): Promise<AvatarView | undefined> {
  const row = await db.selectFrom('avatars').selectAll().where('avatar_id', '=', avatarId).executeTakeFirst();
  return row && toAvatarView(row);
}

/** An owner's avatars, oldest first; deleted ones only when asked for. */
export async function avatarsOf(
  db: Kysely<Schema>,
  ownerId: number,
  { includeDeleted = false }: { includeDeleted?: boolean } = {},
): Promise<AvatarView[]> {
  const rows = await db
    .selectFrom('avatars')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .$if(!includeDeleted, (q) => q.where('is_deleted', '=', false))
    .orderBy('created_at')
    .orderBy('avatar_id')
    .execute();
  return rows.map(toAvatarView);
}

/** Avatars whose name contains `query`, whose id starts with it, or whose owner id it is; newest first. */
export async function searchAvatars(db: Kysely<Schema>, { query, limit }: { query: string; limit: number }): Promise<AvatarView[]> {
  const text = query.trim();
  const ownerId = /^\d{1,15}$/.test(text) ? Number(text) : null;
  const literal = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .selectFrom('avatars')
    .selectAll()
    .$if(text !== '', (q) =>
      q.where((eb) =>
        eb.or([
          eb('name', 'ilike', `%${literal}%`),
          eb('avatar_id', 'like', `${literal}%`),
          ...(ownerId !== null ? [eb('owner_id', '=', ownerId)] : []),
        ]),
      ),
    )
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toAvatarView);
}

/** The machine state of one avatar (for decisions and buttons), or null if there is none. */
export async function loadAvatar(store: Store, avatarId: string): Promise<LoadedStream<'avatar'> | null> {
  const loaded = await loadStream(store.db, 'avatar', avatarId);
  return loaded.state === null ? null : loaded;
}

/**
 * The owner's main avatar: the async projection's choice while that avatar can still generate,
 * else the most recent avatar that can (the projection may lag its events by a moment).
 */
export async function mainAvatarOf(db: Kysely<Schema>, ownerId: number): Promise<AvatarView | undefined> {
  const profile = await db.selectFrom('owner_profiles').select('main_avatar_id').where('owner_id', '=', ownerId).executeTakeFirst();
  if (profile?.main_avatar_id) {
    const main = await findAvatar(db, profile.main_avatar_id);
    if (main?.canGenerate) return main;
  }
  const row = await db
    .selectFrom('avatars')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .where('can_generate', '=', true)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toAvatarView(row);
}

export interface GenerationView {
  generationId: string;
  avatarId: string;
  ownerId: number;
  chatId: number;
  prompt: string;
  aspectRatio: AspectRatio;
  numImages: number;
  status: GenerationStatus;
  falRequestId: string | null;
  images: { url: string; width: number; height: number }[];
  seed: string | null;
  failureReason: string | null;
  createdAt: Date;
}

function toGenerationView(row: GenerationRow): GenerationView {
  const { generation_id: id, status, aspect_ratio: aspectRatio } = row;
  if (!isGenerationStatus(status)) throw new ReadModelError(`generation ${id} has unknown status "${status}"`);
  if (!isAspectRatio(aspectRatio)) throw new ReadModelError(`generation ${id} has unknown aspect ratio "${aspectRatio}"`);
  return {
    generationId: row.generation_id,
    avatarId: row.avatar_id,
    ownerId: row.owner_id,
    chatId: row.chat_id,
    prompt: row.prompt,
    aspectRatio,
    numImages: row.num_images,
    status,
    falRequestId: row.fal_request_id,
    images: row.images,
    seed: row.seed,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
  };
}

export async function findGeneration(db: Kysely<Schema>, generationId: string): Promise<GenerationView | undefined> {
  const row = await db.selectFrom('generations').selectAll().where('generation_id', '=', generationId).executeTakeFirst();
  return row && toGenerationView(row);
}

export async function photosOf(db: Kysely<Schema>, avatarId: string) {
  return db.selectFrom('avatar_photos').selectAll().where('avatar_id', '=', avatarId).orderBy('position').execute();
}
