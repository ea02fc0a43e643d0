import { isTraining, type AvatarState } from './avatar.js';
import type { AvatarEvent, GenerationEvent } from './events.js';

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
  | { kind: 'NotifyGenerationFailed'; generationId: string; chatId: number; reason: string };

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
} as const satisfies Record<EffectKind, string>;
export type EffectTopic = (typeof effectTopic)[EffectKind];

export function avatarEffects(event: AvatarEvent, before: AvatarState | null, after: AvatarState): Effect[] {
  const { avatarId, chatId } = after.context;
  switch (event.type) {
    case 'TrainingRequested':
      return [{ kind: 'SubmitTraining', avatarId, attemptId: event.attemptId }];
    case 'TrainingCompleted':
      return [{ kind: 'NotifyTrainingCompleted', avatarId, chatId, attemptId: event.attemptId }];
    case 'TrainingFailed':
      return [{ kind: 'NotifyTrainingFailed', avatarId, chatId, attemptId: event.attemptId, reason: event.reason }];
    case 'TrainingCancelled':
    case 'AvatarDeleted': {
      // Stop paying for a fal job nobody will use.
      const attempt = before?.context.attempt;
      if (before === null || !isTraining(before) || !attempt?.falRequestId || !attempt.endpoint) return [];
      return [{ kind: 'CancelFalRequest', streamId: avatarId, falRequestId: attempt.falRequestId, endpoint: attempt.endpoint }];
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

export function generationEffects(event: GenerationEvent, chatId: number, generationId: string): Effect[] {
  switch (event.type) {
    case 'GenerationRequested':
      return [{ kind: 'SubmitGeneration', generationId }];
    case 'GenerationCompleted':
      return [{ kind: 'DeliverGeneration', generationId, chatId }];
    case 'GenerationFailed':
      return [{ kind: 'NotifyGenerationFailed', generationId, chatId, reason: event.reason }];
    case 'GenerationSubmitted':
      return [];
  }
}
