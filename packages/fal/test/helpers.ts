import { startFalEmulator, type FalEmulator, type FalEmulatorOptions } from '@avatar/fal-emulator';
import { startWebhookReceiver, waitFor, type ReceivedWebhook, type WebhookReceiver } from '@avatar/fal-emulator/testing';
import { createFalGateway, type ArchivePhoto, type FalGateway } from '../src/index.js';

export interface FalWorld {
  emulator: FalEmulator;
  receiver: WebhookReceiver;
  gateway: FalGateway;
  /** The webhooks that arrived for one request, once there are `count`. */
  webhooksOf(requestId: string, count?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** The emulator, a webhook receiver, and a gateway pointed at the emulator. */
export async function startFalWorld(options: FalEmulatorOptions & { submitTimeoutMs?: number } = {}): Promise<FalWorld> {
  const emulator = await startFalEmulator({ queueMs: 0, trainingMs: 5, generationMs: 5, ...options });
  const receiver = await startWebhookReceiver();
  const gateway = createFalGateway({
    credentials: emulator.key,
    baseUrl: emulator.url,
    ...(options.submitTimeoutMs === undefined ? {} : { submitTimeoutMs: options.submitTimeoutMs }),
  });
  return {
    emulator,
    receiver,
    gateway,
    webhooksOf: (requestId, count = 1) =>
      waitFor(`${count} webhook(s) for ${requestId}`, () => {
        const found = receiver.received.filter((r) => r.headers['x-fal-webhook-request-id'] === requestId);
        return found.length >= count && found;
      }),
    close: async () => {
      await emulator.close();
      await receiver.close();
    },
  };
}

/** `count` small stand-ins for the user's photos. */
export function photos(count: number): ArchivePhoto[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `photo-${String(i + 1).padStart(2, '0')}.jpg`,
    bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, i, 0xff, 0xd9]),
  }));
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
