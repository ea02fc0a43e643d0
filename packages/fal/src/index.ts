export { buildPhotoArchive, type ArchivePhoto } from './archive.js';
export {
  endpointFor,
  generationEndpoint,
  promptWithTrigger,
  trainingEndpoints,
  type GenerationRequest,
  type TrainingEndpoint,
  type TrainingRequest,
} from './endpoints.js';
export {
  FalError,
  FalRejected,
  FalUnavailable,
  FalUnexpectedResponse,
  FalUnreachable,
  type FalFailureKind,
} from './errors.js';
export {
  createFalGateway,
  type FalGateway,
  type FalGatewayOptions,
  type FalQueueStatus,
  type FalResult,
  type FalSubmission,
} from './gateway.js';
export { defaultFalJwksUrl, FalJwksCache, FalKeysUnavailable, type FalJwksCacheOptions, type FalKeySource } from './jwks.js';
export type { FalImage, FalOutcome, FalOutput } from './outcome.js';
export { parseFalWebhook, type FalWebhookParse } from './webhook-body.js';
export {
  verifyFalWebhook,
  webhookToleranceSeconds,
  type FalWebhookDelivery,
  type FalWebhookRejection,
  type FalWebhookVerdict,
  type WebhookHeaders,
} from './webhook-signature.js';
