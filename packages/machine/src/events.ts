import { z } from 'zod';
import {
  avatarEventTypes,
  generationEventTypes,
  walletEventTypes,
  type AvatarEventType,
  type DomainEventType,
  type GenerationEventType,
  type WalletEventType,
} from './event-types.js';

export * from './event-types.js';

/**
 * The stored event format. Type names and key fields are the public format of
 * export/import and replay (lifecycle-spec.md), so they only ever grow: a new
 * optional field or a new event type, never a rename.
 */

const id = z.string().min(1).max(128);
const telegramId = z.number().int().refine(Number.isSafeInteger, 'not a safe integer');
const url = z.url();

export const avatarNameSchema = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'name contains control characters');

export const genders = ['female', 'male'] as const;
export type Gender = (typeof genders)[number];
export const trainers = ['portrait', 'fast'] as const;
export type Trainer = (typeof trainers)[number];

export function isTrainer(value: string): value is Trainer {
  return (trainers as readonly string[]).includes(value);
}
export const photoMimeTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMime = (typeof photoMimeTypes)[number];
export const falQueueStatuses = ['IN_QUEUE', 'IN_PROGRESS'] as const;
export const aspectRatios = ['1:1', '3:4', '9:16', '4:3', '16:9'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

export function isAspectRatio(value: string): value is AspectRatio {
  return (aspectRatios as readonly string[]).includes(value);
}

export const avatarEventData = {
  AvatarCreated: z.object({
    avatarId: id,
    ownerId: telegramId,
    chatId: telegramId,
    name: avatarNameSchema,
    gender: z.enum(genders),
    trainer: z.enum(trainers),
  }),
  AvatarRenamed: z.object({ name: avatarNameSchema }),
  PhotoAdded: z.object({
    photoId: id,
    telegramFileId: z.string().min(1),
    fileUniqueId: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    bytes: z.number().int().positive(),
    mime: z.enum(photoMimeTypes),
  }),
  PhotoRemoved: z.object({ photoId: id }),
  TrainingRequested: z.object({
    attemptId: id,
    trainer: z.enum(trainers),
    triggerPhrase: z.string().min(1).max(64),
    steps: z.number().int().min(1).max(10_000),
    photoIds: z.array(id).min(1),
  }),
  TrainingSubmitted: z.object({ attemptId: id, falRequestId: id, endpoint: z.string().min(1) }),
  TrainingProgressed: z.object({
    attemptId: id,
    falStatus: z.enum(falQueueStatuses),
    queuePosition: z.number().int().nonnegative().optional(),
    logs: z.array(z.string()).optional(),
  }),
  TrainingCompleted: z.object({ attemptId: id, falRequestId: id, loraUrl: url, configUrl: url }),
  TrainingFailed: z.object({
    attemptId: id,
    falRequestId: id.optional(),
    reason: z.string().min(1),
    retryable: z.boolean(),
  }),
  TrainingCancelled: z.object({ attemptId: id.nullable(), reason: z.string().min(1) }),
  AvatarDeleted: z.object({ reason: z.string().min(1) }),
  /** Not in the original table: the owner picked this avatar as the default for generation. */
  MainAvatarChosen: z.object({}),
} as const satisfies Record<AvatarEventType, z.ZodType>;

export const generatedImageSchema = z.object({
  url,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const generationEventData = {
  GenerationRequested: z.object({
    generationId: id,
    avatarId: id,
    ownerId: telegramId,
    chatId: telegramId,
    prompt: z.string().trim().min(1).max(2000),
    aspectRatio: z.enum(aspectRatios),
    numImages: z.number().int().min(1).max(4),
    /** Copied from the avatar when requested, so the generation never reads a changed avatar. */
    loraUrl: url,
    triggerPhrase: z.string().min(1),
  }),
  GenerationSubmitted: z.object({ falRequestId: id, endpoint: z.string().min(1) }),
  GenerationCompleted: z.object({
    images: z.array(generatedImageSchema).min(1),
    /** fal seeds exceed 2^53; kept as the exact decimal string. */
    seed: z.string().regex(/^\d+$/),
  }),
  GenerationFailed: z.object({ reason: z.string().min(1) }),
} as const satisfies Record<GenerationEventType, z.ZodType>;

/** Whole credits: money is never a float. */
const credits = z.number().int().positive().refine(Number.isSafeInteger, 'not a safe integer');
const chargeId = z.string().min(1).max(256);

export const grantReasons = ['welcome', 'promo', 'admin'] as const;
export type GrantReason = (typeof grantReasons)[number];

/** What a reservation pays for: one training attempt or one generation, never anything else. */
export const reservationPurposeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('training'), avatarId: id, attemptId: id }),
  z.object({ kind: z.literal('generation'), generationId: id, avatarId: id }),
]);
export type ReservationPurpose = z.infer<typeof reservationPurposeSchema>;

export const walletEventData = {
  WalletOpened: z.object({ ownerId: telegramId }),
  CreditsGranted: z.object({ grantId: id, credits, reason: z.enum(grantReasons), note: z.string().max(500).optional() }),
  TopUpPaid: z.object({
    telegramPaymentChargeId: chargeId,
    providerPaymentChargeId: z.string().max(256),
    packageId: id,
    credits,
    stars: credits,
  }),
  /** The reservation id is the attempt id or the generation id it pays for. */
  CreditsReserved: z.object({ reservationId: id, credits, purpose: reservationPurposeSchema }),
  ReservationCaptured: z.object({ reservationId: id }),
  ReservationReleased: z.object({ reservationId: id, reason: z.string().min(1) }),
  StarsRefunded: z.object({ telegramPaymentChargeId: chargeId, credits, stars: credits }),
} as const satisfies Record<WalletEventType, z.ZodType>;

/** zod infers `{}` as an index signature of `never`, which would forbid the `type` field. */
type Fields<T> = T extends Record<string, never> ? unknown : T;

type EventFrom<TSchemas extends Record<string, z.ZodType>> = {
  [K in keyof TSchemas & string]: { type: K } & Fields<z.infer<TSchemas[K]>>;
}[keyof TSchemas & string];

export type AvatarEvent = EventFrom<typeof avatarEventData>;
export type GenerationEvent = EventFrom<typeof generationEventData>;
export type WalletEvent = EventFrom<typeof walletEventData>;
export type DomainEvent = AvatarEvent | GenerationEvent | WalletEvent;
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export const domainEventTypes: readonly DomainEventType[] = [...avatarEventTypes, ...generationEventTypes, ...walletEventTypes];

const allEventData: Record<DomainEventType, z.ZodType> = { ...avatarEventData, ...generationEventData, ...walletEventData };

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.hasOwn(allEventData, type);
}

export type EventParseResult = { ok: true; event: DomainEvent } | { ok: false; error: string };

/** Validates an event arriving from outside (NDJSON import, tools): type known, data well-formed. */
export function parseDomainEvent(type: string, data: unknown): EventParseResult {
  if (!isDomainEventType(type)) return { ok: false, error: `unknown event type "${type}"` };
  const parsed = allEventData[type].safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    return { ok: false, error: `invalid ${type}: ${issues.join('; ')}` };
  }
  return { ok: true, event: { type, ...(parsed.data as object) } as DomainEvent };
}

/** Splits an event into the stored `type` and `data` columns. */
export function toStored(event: DomainEvent): { type: DomainEventType; data: Record<string, unknown> } {
  const { type, ...data } = event;
  return { type, data };
}

/** Who caused an event; recorded in its metadata for debugging and the inspector. */
export const actorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: telegramId }),
  z.object({ kind: z.literal('fal'), requestId: z.string() }),
  z.object({ kind: z.literal('system'), component: z.string() }),
  z.object({ kind: z.literal('operator'), name: z.string() }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const eventMetadataSchema = z.object({
  actor: actorSchema,
  correlationId: z.string().optional(),
  causationId: z.string().optional(),
  machineVersion: z.string(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;
