import { isTraining, trainingStageOf, type AvatarState } from './avatar.js';
import type { AvatarEvent, GenerationEvent } from './events.js';
import { walletIdOf } from './wallet.js';

/**
 * Side effects a recorded event asks for. The store writes them to the outbox in the same
 * transaction as the event; workers carry them out at least once.
 */
export type Effect =
  | { kind: 'SubmitTraining'; avatarId: string; attemptId: string }
  | { kind: 'CancelFalRequest'; streamId: string; falRequestId: string; endpoint: string }
  | { kind: 'NotifyTrainingCompleted'; avatarId: string; chatId: number; attemptId: string }
  | { kind: 'NotifyTrainingFailed'; avatarId: string; chatId: number; attemptId: string; reason: string }
  | { kind: 'SubmitGeneration'; generationId: string }
  | { kind: 'DeliverGeneration'; generationId: string; chatId: number }
  | { kind: 'NotifyGenerationFailed'; generationId: string; chatId: number; reason: string }
  /** Closes the reservation that paid for an attempt or a generation: charged for good, or refunded. */
  | { kind: 'SettleReservation'; walletId: string; reservationId: string; settlement: Settlement; reason: string };

export type Settlement = 'capture' | 'release';

export type EffectKind = Effect['kind'];
export type EffectOf<K extends EffectKind> = Extract<Effect, { kind: K }>;

/** Which worker carries an effect out: the fal worker (webhooks app) or the Telegram notifier (bot). */
export const effectTopic = {
  SubmitTraining: 'fal',
  CancelFalRequest: 'fal',
  SubmitGeneration: 'fal',
  NotifyTrainingCompleted: 'telegram',
  NotifyTrainingFailed: 'telegram',
  DeliverGeneration: 'telegram',
  NotifyGenerationFailed: 'telegram',
  SettleReservation: 'wallet',
} as const satisfies Record<EffectKind, string>;
export type EffectTopic = (typeof effectTopic)[EffectKind];

/**
 * The refund policy: an attempt or a generation is paid for when it delivers. A failure is never
 * the user's to pay for (fal's error, a timeout, a lost job); a cancel (or a delete) is refunded
 * until fal starts training (`requested` and `queued`) and charged once fal is running it, since
 * fal charges for that compute whether or not anyone uses the result.
 */
export function cancelSettlement(before: AvatarState): Settlement {
  return trainingStageOf(before) === 'running' ? 'capture' : 'release';
}

function settlement(ownerId: number, reservationId: string, settle: Settlement, reason: string): Effect {
  return { kind: 'SettleReservation', walletId: walletIdOf(ownerId), reservationId, settlement: settle, reason };
}

export function avatarEffects(event: AvatarEvent, before: AvatarState | null, after: AvatarState): Effect[] {
  const { avatarId, chatId, ownerId } = after.context;
  switch (event.type) {
    case 'TrainingRequested':
      return [{ kind: 'SubmitTraining', avatarId, attemptId: event.attemptId }];
    case 'TrainingCompleted':
      return [
        { kind: 'NotifyTrainingCompleted', avatarId, chatId, attemptId: event.attemptId },
        settlement(ownerId, event.attemptId, 'capture', 'the training completed'),
      ];
    case 'TrainingFailed':
      return [
        { kind: 'NotifyTrainingFailed', avatarId, chatId, attemptId: event.attemptId, reason: event.reason },
        settlement(ownerId, event.attemptId, 'release', `the training failed: ${event.reason}`),
      ];
    case 'TrainingCancelled':
    case 'AvatarDeleted': {
      const attempt = before?.context.attempt;
      if (before === null || !isTraining(before) || !attempt) return [];
      const reason = event.type === 'AvatarDeleted' ? 'the avatar was deleted during training' : 'the training was cancelled';
      const settle = settlement(ownerId, attempt.attemptId, cancelSettlement(before), reason);
      // Stop paying for a fal job nobody will use.
      if (!attempt.falRequestId || !attempt.endpoint) return [settle];
      return [{ kind: 'CancelFalRequest', streamId: avatarId, falRequestId: attempt.falRequestId, endpoint: attempt.endpoint }, settle];
    }
    case 'AvatarCreated':
    case 'AvatarRenamed':
    case 'PhotoAdded':
    case 'PhotoRemoved':
    case 'TrainingSubmitted':
    case 'TrainingProgressed':
    case 'MainAvatarChosen':
      return [];
  }
}

export function generationEffects(event: GenerationEvent, request: { chatId: number; ownerId: number; generationId: string }): Effect[] {
  const { chatId, ownerId, generationId } = request;
  switch (event.type) {
    case 'GenerationRequested':
      return [{ kind: 'SubmitGeneration', generationId }];
    case 'GenerationCompleted':
      return [{ kind: 'DeliverGeneration', generationId, chatId }, settlement(ownerId, generationId, 'capture', 'the images were made')];
    case 'GenerationFailed':
      return [
        { kind: 'NotifyGenerationFailed', generationId, chatId, reason: event.reason },
        settlement(ownerId, generationId, 'release', `the generation failed: ${event.reason}`),
      ];
    case 'GenerationSubmitted':
      return [];
  }
}
