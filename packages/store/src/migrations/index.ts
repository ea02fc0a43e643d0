import type { Migration, MigrationProvider } from 'kysely';
import * as eventLog from './0001-event-log.js';
import * as readModel from './0002-read-model.js';
import * as inboxOutbox from './0003-inbox-outbox.js';
import * as asyncProjections from './0004-async-projections.js';
import * as botState from './0005-bot-state.js';
import * as wallets from './0006-wallets.js';

/** Migrations in order. Listed statically so they run the same under tsx, bundlers and tests. */
export const migrations: Record<string, Migration> = {
  '0001-event-log': eventLog,
  '0002-read-model': readModel,
  '0003-inbox-outbox': inboxOutbox,
  '0004-async-projections': asyncProjections,
  '0005-bot-state': botState,
  '0006-wallets': wallets,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
