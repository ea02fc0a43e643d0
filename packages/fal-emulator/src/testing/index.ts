export { waitFor } from './wait-for.js';
export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './webhook-receiver.js';
export { falWebhookHeaders, signFalWebhook, type WebhookSignature } from '../signing.js';
