import { createReadStream, createWriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { databaseConfigFromEnv, migrateToLatest, openStore } from '@avatar/store';
import { runCli } from './cli.js';
import { UsageError } from './io.js';

const config = databaseConfigFromEnv();

process.exitCode = await runCli(
  {
    out: process.stdout,
    err: process.stderr,
    async openStore() {
      const store = await openStore(config);
      // Reading tools must work on a fresh embedded database too.
      if (config.kind === 'pglite') await migrateToLatest(store);
      return store;
    },
    async openInput(path) {
      await access(path).catch(() => {
        throw new UsageError(`cannot read ${path}`);
      });
      return createReadStream(path);
    },
    async openOutput(path) {
      return createWriteStream(path);
    },
    env: process.env,
    fetch: globalThis.fetch,
  },
  process.argv.slice(2),
);
