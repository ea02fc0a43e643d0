export { buildWebhookApp, type WebhookAppDeps } from './app.js';
export { loadWebhooksConfig, WebhooksConfigError, type WebhooksConfig } from './config.js';
export { falWebhookUrl, type SubmissionHint } from './hints.js';
export { startFalWorkers, productionTimings, type FalWorkersDeps, type FalWorkerTimings } from './workers/index.js';
export { unconfirmedSubmissionReason } from './workers/submission.js';
