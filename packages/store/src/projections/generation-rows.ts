import { generationStatusOf, type GenerationState } from '@avatar/machine';
import type { GenerationsTable } from '../schema.js';
import type { RowWithoutStamps } from './inline.js';

export function generationRow(state: GenerationState): RowWithoutStamps<GenerationsTable> {
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
    images: JSON.stringify(images),
    seed,
    failure_reason: failureReason,
  };
}
