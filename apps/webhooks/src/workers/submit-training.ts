import type { AvatarState, EffectOf } from '@avatar/machine';
import { dispatch, loadAvatar } from '@avatar/store';
import { trainingAwaitsSubmission } from '@avatar/machine';
import type { EffectRun, EffectVerdict } from './context.js';
import { uploadAttemptPhotos } from './photo-archive.js';
import { carryOutSubmission } from './submission.js';

/** Starts the LoRA training of one attempt on fal: photos from Telegram, zipped, uploaded, submitted. */
export async function submitTraining(effect: EffectOf<'SubmitTraining'>, run: EffectRun): Promise<EffectVerdict> {
  const { avatarId, attemptId } = effect;
  const { store, fal } = run;
  return carryOutSubmission<AvatarState, { archiveUrl: string; state: AvatarState }>(run, {
    target: { kind: 'training', avatarId, attemptId },
    deadlineMs: run.timings.trainingSubmissionDeadlineMs,
    awaitingState: async () => {
      const state = (await loadAvatar(store, avatarId))?.state ?? null;
      return state !== null && trainingAwaitsSubmission(state, attemptId) ? state : null;
    },
    prepare: async (state) => {
      const uploaded = await uploadAttemptPhotos(state, { telegramFiles: run.telegramFiles, upload: fal.uploadFile });
      return uploaded.ok ? { ok: true, value: { archiveUrl: uploaded.value, state } } : uploaded;
    },
    submit: ({ archiveUrl, state }, webhookUrl) => {
      const { attempt, triggerPhrase } = state.context;
      if (attempt === null || triggerPhrase === null) throw new Error(`avatar ${avatarId} is training without an attempt or trigger phrase`);
      return fal.submitTraining({ trainer: attempt.trainer, archiveUrl, triggerPhrase, steps: attempt.steps, webhookUrl });
    },
    recordFailure: async (reason, retryable) => {
      await dispatch(store, avatarId, { type: 'TrainingFailed', attemptId, reason, retryable }, {
        actor: { kind: 'system', component: 'fal-worker' },
        causationId: run.claim.causedBy,
      });
    },
  });
}
