import type { EffectOf, GenerationState } from '@avatar/machine';
import { dispatch, loadStream } from '@avatar/store';
import { generationAwaitsSubmission } from '@avatar/machine';
import type { EffectRun, EffectVerdict } from './context.js';
import { carryOutSubmission } from './submission.js';

/** Asks fal-ai/flux-lora for the images of one generation, with the avatar's LoRA and trigger phrase. */
export async function submitGeneration(effect: EffectOf<'SubmitGeneration'>, run: EffectRun): Promise<EffectVerdict> {
  const { generationId } = effect;
  const { store, fal } = run;
  return carryOutSubmission<GenerationState, GenerationState['context']['request']>(run, {
    target: { kind: 'generation', generationId },
    deadlineMs: run.timings.generationSubmissionDeadlineMs,
    awaitingState: async () => {
      const { state } = await loadStream(store.db, 'generation', generationId);
      return state !== null && generationAwaitsSubmission(state) ? state : null;
    },
    prepare: async (state) => ({ ok: true, value: state.context.request }),
    submit: (request, webhookUrl) =>
      fal.submitGeneration({
        loraUrl: request.loraUrl,
        triggerPhrase: request.triggerPhrase,
        prompt: request.prompt,
        aspectRatio: request.aspectRatio,
        numImages: request.numImages,
        webhookUrl,
      }),
    recordFailure: async (reason) => {
      await dispatch(store, generationId, { type: 'GenerationFailed', reason }, {
        actor: { kind: 'system', component: 'fal-worker' },
        causationId: run.claim.causedBy,
      });
    },
  });
}
