/**
 * Every event type of each stream kind, without their schemas: the machines need the names at run
 * time, and only the boundaries need zod (`events.ts`), so a replay worker folding with the machine
 * does not load a validation library it never calls. `events.ts` is checked against these lists.
 */
export const avatarEventTypes = [
  'AvatarCreated',
  'AvatarRenamed',
  'PhotoAdded',
  'PhotoRemoved',
  'TrainingRequested',
  'TrainingSubmitted',
  'TrainingProgressed',
  'TrainingCompleted',
  'TrainingFailed',
  'TrainingCancelled',
  'AvatarDeleted',
  'MainAvatarChosen',
] as const;

export const generationEventTypes = ['GenerationRequested', 'GenerationSubmitted', 'GenerationCompleted', 'GenerationFailed'] as const;

export const walletEventTypes = [
  'WalletOpened',
  'CreditsGranted',
  'TopUpPaid',
  'CreditsReserved',
  'ReservationCaptured',
  'ReservationReleased',
  'StarsRefunded',
] as const;

export type AvatarEventType = (typeof avatarEventTypes)[number];
export type GenerationEventType = (typeof generationEventTypes)[number];
export type WalletEventType = (typeof walletEventTypes)[number];
export type DomainEventType = AvatarEventType | GenerationEventType | WalletEventType;
