import { acceptsPhotos, canGenerate, isDeleted, statusOf, trainingStageOf, type AvatarState } from '@avatar/machine';
import type { AvatarsTable } from '../schema.js';
import type { RowWithoutStamps } from './inline.js';

/** The `avatars` row for a state; the flags are the machine's answers, so SQL never compares statuses. */
export function avatarRow(state: AvatarState): RowWithoutStamps<AvatarsTable> {
  const { context } = state;
  const attempt = context.attempt;
  return {
    avatar_id: context.avatarId,
    owner_id: context.ownerId,
    chat_id: context.chatId,
    name: context.name,
    gender: context.gender,
    trainer: context.trainer,
    status: statusOf(state),
    training_stage: trainingStageOf(state),
    photo_count: context.photos.length,
    can_generate: canGenerate(state),
    accepts_photos: acceptsPhotos(state),
    is_deleted: isDeleted(state),
    trigger_phrase: context.triggerPhrase,
    current_attempt_id: attempt?.attemptId ?? null,
    fal_request_id: attempt?.falRequestId ?? null,
    lora_url: context.lora?.loraUrl ?? null,
    config_url: context.lora?.configUrl ?? null,
    failure_reason: context.failure?.reason ?? null,
  };
}
