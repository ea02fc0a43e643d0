import { trainingRequest } from '@avatar/machine';
import { dispatch, loadAvatar, requestGeneration, type Store } from '@avatar/store';
import { fundWallet } from '@avatar/store/testing';

/** What fal's side would record: a submitted attempt that completed or failed. */
const fal = { actor: { kind: 'fal' as const, requestId: 'test' } };

async function requestTraining(store: Store, avatarId: string): Promise<string> {
  const state = (await loadAvatar(store, avatarId))?.state;
  if (!state) throw new Error(`no avatar ${avatarId}`);
  const attemptId = crypto.randomUUID();
  const result = await dispatch(store, avatarId, trainingRequest(state, attemptId), { actor: { kind: 'user', userId: state.context.ownerId } });
  if (result.outcome !== 'accepted') throw new Error(`training was not requested: ${JSON.stringify(result)}`);
  await dispatch(store, avatarId, { type: 'TrainingSubmitted', attemptId, falRequestId: `req-${attemptId}`, endpoint: 'fal-ai/flux-lora-portrait-trainer' }, fal);
  return attemptId;
}

/** The attempt in flight (or a new one) ends as fal would report it. */
async function attemptOf(store: Store, avatarId: string): Promise<string> {
  const state = (await loadAvatar(store, avatarId))?.state;
  const attempt = state?.context.attempt;
  if (attempt && attempt.falRequestId === null) {
    await dispatch(store, avatarId, { type: 'TrainingSubmitted', attemptId: attempt.attemptId, falRequestId: `req-${attempt.attemptId}`, endpoint: 'fal-ai/flux-lora-portrait-trainer' }, fal);
  }
  return state?.context.attempt && state.context.lora === null && state.context.failure === null
    ? state.context.attempt.attemptId
    : requestTraining(store, avatarId);
}

export async function completeTraining(store: Store, avatarId: string): Promise<void> {
  const attemptId = await attemptOf(store, avatarId);
  const result = await dispatch(
    store,
    avatarId,
    {
      type: 'TrainingCompleted',
      attemptId,
      falRequestId: `req-${attemptId}`,
      loraUrl: `https://v3.fal.media/files/lora/${attemptId}.safetensors`,
      configUrl: `https://v3.fal.media/files/lora/${attemptId}.json`,
    },
    fal,
  );
  if (result.outcome !== 'accepted') throw new Error(`training did not complete: ${JSON.stringify(result)}`);
}

export async function failTraining(store: Store, avatarId: string, reason = 'the model could not learn a face from these photos'): Promise<void> {
  const attemptId = await attemptOf(store, avatarId);
  const result = await dispatch(store, avatarId, { type: 'TrainingFailed', attemptId, falRequestId: `req-${attemptId}`, reason, retryable: true }, fal);
  if (result.outcome !== 'accepted') throw new Error(`training did not fail: ${JSON.stringify(result)}`);
}

/** A generation with this avatar, recorded as fal would finish it: images at `imageUrls`, or a failure. */
export async function finishedGeneration(
  store: Store,
  avatarId: string,
  outcome: { imageUrls: string[] } | { failure: string },
  order: { prompt?: string; aspectRatio?: '1:1' | '3:4' } = {},
): Promise<string> {
  const state = (await loadAvatar(store, avatarId))?.state;
  if (!state) throw new Error(`no avatar ${avatarId}`);
  const generationId = crypto.randomUUID();
  await fundWallet(store, state.context.ownerId, 100);
  const requested = await requestGeneration(
    store,
    avatarId,
    { generationId, prompt: order.prompt ?? 'on the moon', aspectRatio: order.aspectRatio ?? '1:1', numImages: 'imageUrls' in outcome ? outcome.imageUrls.length : 1 },
    5,
    { actor: { kind: 'user', userId: state.context.ownerId } },
  );
  if (requested.outcome !== 'accepted') throw new Error(`generation not requested: ${JSON.stringify(requested)}`);
  await dispatch(store, generationId, { type: 'GenerationSubmitted', falRequestId: `gen-${generationId}`, endpoint: 'fal-ai/flux-lora' }, fal);
  const finished =
    'imageUrls' in outcome
      ? await dispatch(
          store,
          generationId,
          { type: 'GenerationCompleted', images: outcome.imageUrls.map((url) => ({ url, width: 768, height: 1024 })), seed: '12345678901234567890' },
          fal,
        )
      : await dispatch(store, generationId, { type: 'GenerationFailed', reason: outcome.failure }, fal);
  if (finished.outcome !== 'accepted') throw new Error(`generation not finished: ${JSON.stringify(finished)}`);
  return generationId;
}
