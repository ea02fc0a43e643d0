import { generationStatusOf, type GenerationState } from '@avatar/machine';
import type { GenerationsTable } from '../schema.js';
import type { RowWithoutStamps } from './inline.js';

/**
 * A `generations` row as the append and rebuild statements unpack it from JSON
 * (`json_populate_record`): `images` is its JSON value, not the text Kysely would insert.
 */
export type GenerationRecord = Omit<RowWithoutStamps<GenerationsTable>, 'images'> & { images: GenerationState['context']['images'] };

export function generationRow(state: GenerationState): GenerationRecord {
  const { request, falRequestId, images, seed, failureReason } = state.context;
  return {
    generation_id: request.generationId,
    avatar_id: request.avatarId,
    owner_id: request.ownerId,
    chat_id: request.chatId,
    prompt: request.prompt,
    aspect_ratio: request.aspectRatio,
    num_images: request.numImages,
    status: generationStatusOf(state),
    fal_request_id: falRequestId,
    images,
    seed,
    failure_reason: failureReason,
  };
}
