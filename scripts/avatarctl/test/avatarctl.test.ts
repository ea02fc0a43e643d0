import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { sql } from 'kysely';
import { readStream, type Store } from '@avatar/store';
import { testBackends } from '@avatar/store/testing';
import { runCli } from '../cli.js';
import { UsageError } from '../io.js';

const root = join(import.meta.dirname, '..', '..', '..');
const sampleLog = join(root, 'fixtures', 'sample-log.ndjson');
const alex = '3f9a2c1b-5d2e-4c1a-9b7e-000000000001';

function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

/** Runs avatarctl in-process against a test store (kept open between commands). */
async function avatarctl(store: Store, argv: string[], input?: string) {
  const out = collector();
  const err = collector();
  const code = await runCli(
    {
      out: out.stream,
      err: err.stream,
      openStore: async () => ({ ...store, close: async () => {} }),
      openInput: async (path) => {
        if (input !== undefined) return Readable.from([input]);
        if (path.startsWith('/nonexistent')) throw new UsageError(`cannot read ${path}`);
        return createReadStream(path);
      },
      openOutput: async () => out.stream,
    },
    argv,
  );
  return { code, out: out.text(), err: err.text() };
}

function legacyLine(streamId: string, version: number, type: string, data: object) {
  return JSON.stringify({
    streamId,
    version,
    type,
    data,
    metadata: { actor: { kind: 'operator', name: 'legacy import' }, machineVersion: 'legacy/0' },
    eventId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2024, 5, 1, 12, 0, version)).toISOString(),
  });
}

for (const backend of testBackends()) {
  const test = suite<{ store: Store }>(`avatarctl [${backend.name}]`, { store: undefined as never });
  test.before(async (ctx) => {
    ctx.store = await backend.open();
  });
  test.after(async (ctx) => ctx.store?.close());

  test('import the bundled sample log, then replay --all finds nothing wrong (exit 0)', async ({ store }) => {
    const imported = await avatarctl(store, ['import', sampleLog]);
    assert.is(imported.code, 0, imported.err);
    assert.match(imported.out, /imported 46 events in 5 streams/);
    const replay = await avatarctl(store, ['replay', '--all']);
    assert.is(replay.code, 0, replay.out + replay.err);
    assert.match(replay.out, /replayed 5 streams: 0 anomalies/);
  });

  test('replay <id> prints the timeline; --at travels in time', async ({ store }) => {
    const replay = await avatarctl(store, ['replay', alex]);
    assert.is(replay.code, 0);
    assert.match(replay.out, /v1 +2026-11-01 09:00:47Z +AvatarCreated +user 1001 +∅ → draft/);
    assert.match(replay.out, /TrainingCompleted +fal fal-req-alex-1 +training\.running → completed/);
    const earlier = await avatarctl(store, ['replay', alex, '--at', '5', '--json']);
    assert.equal(JSON.parse(earlier.out), { streamId: alex, finalStatus: 'uploading', anomalies: [] });
    const byTime = await avatarctl(store, ['replay', alex, '--at', '2026-11-01T09:01:00Z', '--json']);
    assert.is(JSON.parse(byTime.out).finalStatus, 'draft');
  });

  test('a recorded event the machine refuses is an anomaly: exit 1, and --json names it', async ({ store }) => {
    const id = crypto.randomUUID();
    const log = [
      legacyLine(id, 1, 'AvatarCreated', { avatarId: id, ownerId: 5, chatId: 5, name: 'Legacy', gender: 'female', trainer: 'portrait' }),
      legacyLine(id, 2, 'TrainingCompleted', { attemptId: 'x', falRequestId: 'r', loraUrl: 'https://x/l', configUrl: 'https://x/c' }),
    ].join('\n');
    assert.is((await avatarctl(store, ['import', 'legacy.ndjson'], log)).code, 0);
    const replay = await avatarctl(store, ['replay', id, '--json']);
    assert.is(replay.code, 1);
    assert.equal(JSON.parse(replay.out), {
      streamId: id,
      finalStatus: 'draft',
      anomalies: [{ version: 2, type: 'TrainingCompleted', kind: 'rejected', reason: 'TrainingCompleted is not accepted in status draft' }],
    });
    const text = await avatarctl(store, ['replay', id]);
    assert.match(text.out, /REJECTED \(stays draft\): TrainingCompleted is not accepted in status draft/);
  });

  test('projection drift is found (exit 1) and rebuild repairs it', async ({ store }) => {
    await sql`update avatars set status = 'training' where avatar_id = ${alex}`.execute(store.db);
    const drift = await avatarctl(store, ['replay', alex]);
    assert.is(drift.code, 1);
    assert.match(drift.out, /projection_drift .*status: the read model says "training", the log says "completed"/);
    const rebuilt = await avatarctl(store, ['rebuild']);
    assert.is(rebuilt.code, 0, rebuilt.err);
    assert.match(rebuilt.out, /rebuilt projections of \d+ streams/);
    assert.is((await avatarctl(store, ['replay', alex])).code, 0);
  });

  test('status shows the read model and the machine side by side', async ({ store }) => {
    const status = await avatarctl(store, ['status', alex]);
    assert.is(status.code, 0);
    assert.match(status.out, /status +completed/);
    assert.match(status.out, /can now +rename, remove, generate, chooseAsMain/);
  });

  test('export writes the public NDJSON format', async ({ store }) => {
    const exported = await avatarctl(store, ['export', '--stream', alex]);
    assert.is(exported.code, 0);
    const lines = exported.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.is(lines.length, (await readStream(store.db, alex)).length);
    assert.equal(Object.keys(lines[0]), ['streamId', 'version', 'type', 'data', 'metadata', 'eventId', 'createdAt']);
  });

  test('a malformed file is refused by line (exit 2) and writes nothing', async ({ store }) => {
    const id = crypto.randomUUID();
    const before = (await sql<{ n: number }>`select count(*)::int as n from events`.execute(store.db)).rows[0]?.n;
    const bad = [legacyLine(id, 1, 'AvatarCreated', { avatarId: id, ownerId: 5, chatId: 5, name: 'X', gender: 'female', trainer: 'portrait' }), '{"streamId":'].join('\n');
    const result = await avatarctl(store, ['import', 'bad.ndjson'], bad);
    assert.is(result.code, 2);
    assert.match(result.err, /line 2: not JSON/);
    const after = (await sql<{ n: number }>`select count(*)::int as n from events`.execute(store.db)).rows[0]?.n;
    assert.is(after, before);
  });

  test('usage errors exit 2 with a hint', async ({ store }) => {
    for (const argv of [['replay'], ['replay', alex, '--all'], ['replay', alex, '--at', 'yesterday'], ['frobnicate'], ['status'], ['import', '/nonexistent/file']]) {
      const result = await avatarctl(store, argv);
      assert.is(result.code, 2, argv.join(' '));
      assert.match(result.err, /avatarctl: /);
    }
  });

  test.run();
}

const process_ = suite('avatarctl as a process');

process_('--help exits 0; an unreachable database exits 2 with a clear message', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'avatarctl', 'main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const help = run(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /Exit codes: 0 ok, 1 anomalies found, 2 usage or I\/O error/);
  const down = run(['replay', '--all'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
  assert.is(down.status, 2);
  assert.match(down.stderr, /cannot reach the database \(postgres 127\.0\.0\.1:1\/nowhere\)/);
});

process_.run();
