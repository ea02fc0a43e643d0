import type { BotState } from '../bot-state.js';
import { badRequest, conflict } from '../errors.js';
import type { ApiParams } from '../http/api-params.js';
import { isUpdateType, type UpdateType } from '../update-queue.js';
import type { MethodTable } from './method.js';

/** Unknown update types are ignored, as Telegram does. */
function readAllowedUpdates(params: ApiParams): UpdateType[] | undefined {
  const raw = params.json('allowed_updates', "can't parse allowed_updates JSON object");
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw badRequest("can't parse allowed_updates JSON object");
  return raw.filter((type): type is UpdateType => typeof type === 'string' && isUpdateType(type));
}

/** Telegram requires HTTPS on ports 443, 80, 88 or 8443; the emulator accepts any http(s) URL, loopback included. */
function readWebhookUrl(raw: string): string {
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : undefined;
  if (protocol !== 'https:' && protocol !== 'http:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  return raw;
}

export function updateMethods(state: BotState): MethodTable {
  const { updates, polling, webhook } = state;
  return {
    getUpdates: async ({ params, cancelled }) => {
      if (webhook.active) {
        throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      }
      const limit = params.integer('limit') ?? 100;
      return polling.getUpdates(
        {
          offset: params.integer('offset'),
          limit: Math.min(Math.max(limit, 1), 100),
          timeoutSeconds: params.integer('timeout') ?? 0,
          allowedUpdates: readAllowedUpdates(params),
        },
        cancelled,
      );
    },

    setWebhook: ({ params }) => {
      const rawUrl = params.string('url') ?? '';
      if (rawUrl === '') {
        webhook.delete();
        return true;
      }
      const url = readWebhookUrl(rawUrl);
      const secretToken = params.string('secret_token');
      if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
        throw badRequest('secret token contains unallowed characters');
      }
      const maxConnections = params.integer('max_connections') ?? 40;
      if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
      updates.setAllowedUpdates(readAllowedUpdates(params));
      if (params.boolean('drop_pending_updates')) updates.clear();
      polling.terminate(conflict('terminated by setWebhook request'));
      webhook.set({ url, secretToken, maxConnections });
      return true;
    },

    deleteWebhook: ({ params }) => {
      webhook.delete();
      if (params.boolean('drop_pending_updates')) updates.clear();
      return true;
    },

    getWebhookInfo: () => webhook.info(),
  };
}
