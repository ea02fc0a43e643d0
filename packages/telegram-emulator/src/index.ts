export { startTelegramEmulator, type TelegramEmulator, type TelegramEmulatorOptions } from './emulator.js';
export {
  EmulatedUser,
  type AlbumItem,
  type ButtonMatcher,
  type DocumentOptions,
  type FileReference,
  type PhotoOptions,
  type TapOptions,
  type UserProfile,
  type WaitOptions,
} from './emulated-user.js';
export type { CallbackAnswer, CallbackQueryInfo } from './callback-queries.js';
export type { PaymentResult, PaymentTarget, PayOptions } from './user-payments.js';
export type { StarLedgerEntry } from './payments.js';
export type { ApiCall } from './dispatcher.js';
export type { FailureOptions } from './fault-injection.js';
export type { WebhookTiming } from './webhook.js';
export type {
  ButtonView,
  CallbackAnswerEntry,
  ChatActionEntry,
  ChatEntry,
  ChatMessage,
  EditEntry,
  FileView,
  InvoiceView,
  MessageKind,
  PaymentView,
  TapEntry,
  TranscriptOptions,
} from './transcript.js';
export { renderTranscript, type RenderOptions } from './render-transcript.js';
export { makeNonImage, makeTestImage, type TestImageOptions } from './test-image.js';
