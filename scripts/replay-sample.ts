/**
 * Replays the bundled sample log on a fresh embedded database: migrate, import, then print every
 * avatar's timeline and the anomalies. Exit codes as avatarctl's (0 clean, 1 anomalies, 2 error).
 */
import { mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, migrateToLatest } from '@avatar/store';
import { runCli } from './avatarctl/cli.js';

const sampleLog = join(import.meta.dirname, '..', 'fixtures', 'sample-log.ndjson');
const dataDir = mkdtempSync(join(tmpdir(), 'avatar-sample-'));
const store = await openStore({ kind: 'pglite', dataDir });
const context = {
  out: process.stdout,
  err: process.stderr,
  openStore: async () => ({ ...store, close: async () => {} }),
  openInput: async (path: string) => createReadStream(path),
  openOutput: async () => process.stdout,
};
try {
  await migrateToLatest(store);
  let code = await runCli(context, ['import', sampleLog]);
  if (code === 0) {
    for (const avatarId of ['3f9a2c1b-5d2e-4c1a-9b7e-000000000001', '3f9a2c1b-5d2e-4c1a-9b7e-000000000002']) {
      console.log();
      code = Math.max(code, await runCli(context, ['replay', avatarId])) as typeof code;
    }
    console.log();
    code = Math.max(code, await runCli(context, ['replay', '--all'])) as typeof code;
  }
  process.exitCode = code;
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
