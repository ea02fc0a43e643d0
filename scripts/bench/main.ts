/**
 * `pnpm bench`: throughput figures measured in ONE run on ONE database, reported as JSON on
 * stdout (progress on stderr). Machines here are shared and noisy, so the figures that matter are
 * ratios within the run: dispatch against a raw INSERT baseline measured minutes apart at most.
 *
 *   DATABASE_URL   Postgres to measure on (a throwaway schema is created and dropped);
 *                  without it the embedded PGlite is measured (the targets are for Postgres).
 *   BENCH_EVENTS   events to seed for replay and rebuild (default 1,000,000)
 *   BENCH_SECONDS  seconds per throughput measurement (default 8; the baseline and dispatch
 *                  run three times each, in alternation)
 *   BENCH_WEBHOOKS signed fal webhooks to ingest, one per in-flight training (default 10,000),
 *                  after a warm-up of a fifth as many more that is not counted
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { avatarCreated, photoAdded } from '@avatar/machine/testing';
import { describeDatabase, dispatch, migrateToLatest, openStore, rebuildProjections, StreamCache, type DatabaseConfig, type Store } from '@avatar/store';
import { throughput } from './load.js';
import { trainingCycles } from './paid-training.js';
import { seedLog, seedTrainingInFlight } from './seed.js';
import { webhookIngestion } from './webhooks.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const eventsToSeed = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const webhooksToIngest = Number(process.env.BENCH_WEBHOOKS ?? 10_000);
const webhookWarmup = Math.ceil(webhooksToIngest / 5);
const writers = 16;
const dispatchWarmupSeconds = Math.min(seconds, 4);
/** Rounds of the baseline and dispatch, in alternation. */
const rounds = 3;
const webhookConnections = 32;
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const url = process.env.DATABASE_URL?.trim();
const schema = `bench_${Date.now()}`;
const pgliteDir = url ? null : mkdtempSync(join(tmpdir(), 'avatar-bench-'));
const config: DatabaseConfig = url ? { kind: 'postgres', url, schema, poolSize: 32 } : { kind: 'pglite', dataDir: pgliteDir, schema };
// The throughput rounds write their own schema, so the log replay and rebuild read is the seeded one.
const throughputSchema = `${schema}_throughput`;
const childEnv = { ...process.env, DATABASE_SCHEMA: schema, ...(pgliteDir ? { PGLITE_DATA_DIR: pgliteDir } : {}) };

/** Baseline: a plain single-row INSERT in autocommit, the cheapest durable write there is. */
async function rawInsertBaseline(store: Store, searchPath: string) {
  await sql`create table if not exists bench_raw (id bigint generated always as identity primary key, data json not null)`.execute(store.db);
  const row = JSON.stringify({ photoId: 'photo-1', sha256: 'a'.repeat(64), width: 1024, height: 1280 });
  if (!url) return throughput({ concurrency: writers, seconds }, async () => void (await sql`insert into bench_raw (data) values (${row}::json)`.execute(store.db)));
  const pool = new pg.Pool({ connectionString: url, max: writers, options: `-c search_path=${searchPath}` });
  try {
    return await throughput({ concurrency: writers, seconds }, async () => void (await pool.query('insert into bench_raw (data) values ($1::json)', [row])));
  } finally {
    await pool.end();
  }
}

/** 16 writers, each on its own avatar: add a photo, remove it, again (both project photo rows). */
async function dispatchThroughput(store: Store, forSeconds = seconds) {
  const avatars = await Promise.all(
    Array.from({ length: writers }, async () => {
      const created = avatarCreated();
      await dispatch(store, created.avatarId, created, { actor: { kind: 'system', component: 'bench' } });
      return { id: created.avatarId, next: 0 };
    }),
  );
  return throughput({ concurrency: writers, seconds: forSeconds }, async (lane) => {
    const avatar = avatars[lane]!;
    const n = avatar.next++;
    const photo = photoAdded(Math.floor(n / 2) + lane * 1_000_000);
    const event = n % 2 === 0 ? photo : ({ type: 'PhotoRemoved', photoId: photo.photoId } as const);
    const result = await dispatch(store, avatar.id, event, { actor: { kind: 'system', component: 'bench' } });
    if (result.outcome !== 'accepted') throw new Error(`dispatch ${result.outcome}`);
  });
}

/** Vacuums, analyzes and checkpoints, so autovacuum and a checkpoint do not run inside the next measurement. */
async function settle(store: Store) {
  await sql`vacuum analyze`.execute(store.db);
  if (url) await sql`checkpoint`.execute(store.db).catch(() => progress('(no permission for CHECKPOINT; continuing)'));
}

async function main() {
  progress(`database: ${describeDatabase(config)}, ${cpus().length} cpus, node ${process.version}`);
  const report: Record<string, unknown> = {
    database: describeDatabase(config),
    backend: config.kind,
    node: process.version,
    cpus: cpus().length,
    secondsPerMeasurement: seconds,
  };
  const throughputStore = await openStore({ ...config, schema: throughputSchema });
  try {
    await migrateToLatest(throughputStore);
    // Uncounted: the rounds compare steady states, as in a service that has been up a while. Cold,
    // the first round also paid for JIT compilation and for preparing each group statement's text
    // on each of the pool's connections (1.5–1.9× the Node CPU per dispatch, measured).
    progress(`warm-up: dispatch for ${dispatchWarmupSeconds} s, not counted`);
    await dispatchThroughput(throughputStore, dispatchWarmupSeconds);
    // The baseline and dispatch alternate, so each pair shares the machine as it was then; the
    // median pair is reported, and every pair's ratio with it.
    const pairs: { raw: Awaited<ReturnType<typeof rawInsertBaseline>>; warm: Awaited<ReturnType<typeof dispatchThroughput>>; ratio: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      progress(`round ${round}/${rounds}: raw INSERT baseline, 16 connections`);
      const raw = await rawInsertBaseline(throughputStore, throughputSchema);
      progress(`round ${round}/${rounds}: dispatch, 16 writers on distinct avatars (state cache warm)`);
      const warm = await dispatchThroughput(throughputStore);
      pairs.push({ raw, warm, ratio: warm.perSecond / raw.perSecond });
    }
    const median = [...pairs].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds / 2)]!;
    const raw = median.raw;
    // An error in any round is reported, not only the median's.
    const errorsOf = (loads: { errors: number; firstError: string | null }[]) => ({
      errors: loads.reduce((sum, load) => sum + load.errors, 0),
      firstError: loads.find((load) => load.firstError !== null)?.firstError ?? null,
    });
    report.rawInsert16 = { ...raw, ...errorsOf(pairs.map((pair) => pair.raw)), eachRound: pairs.map((pair) => pair.raw.perSecond) };
    report.dispatch16 = {
      ...median.warm,
      ...errorsOf(pairs.map((pair) => pair.warm)),
      ratioToRawInsert: Number(median.ratio.toFixed(2)),
      eachRound: pairs.map((pair) => pair.warm.perSecond),
      ratioEachRound: pairs.map((pair) => Number(pair.ratio.toFixed(2))),
    };

    // Paying for a training: the same cycle of avatar events with and without the wallet's writes
    // in their statement, alternating, each round on fresh avatars and wallets.
    const paidPairs: { unpaid: Awaited<ReturnType<typeof trainingCycles>>; paid: Awaited<ReturnType<typeof trainingCycles>>; ratio: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      progress(`round ${round}/${rounds}: training requested and failed, 16 writers, the avatar stream alone`);
      const unpaid = await trainingCycles(throughputStore, { writers, seconds, paid: false, firstOwner: round * 1_000 });
      progress(`round ${round}/${rounds}: the same with the wallet's reservation and release in each statement (two streams)`);
      const paid = await trainingCycles(throughputStore, { writers, seconds, paid: true, firstOwner: round * 1_000 + 500 });
      paidPairs.push({ unpaid, paid, ratio: paid.perSecond / unpaid.perSecond });
    }
    const paidMedian = [...paidPairs].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds / 2)]!;
    report.trainingWithoutCredits16 = { ...paidMedian.unpaid, ...errorsOf(paidPairs.map((pair) => pair.unpaid)), eachRound: paidPairs.map((pair) => pair.unpaid.perSecond) };
    report.trainingWithCredits16 = {
      ...paidMedian.paid,
      ...errorsOf(paidPairs.map((pair) => pair.paid)),
      ratioToWithoutCredits: Number(paidMedian.ratio.toFixed(2)),
      ratioToDispatch16: Number((paidMedian.paid.perSecond / median.warm.perSecond).toFixed(2)),
      eachRound: paidPairs.map((pair) => pair.paid.perSecond),
      ratioEachRound: paidPairs.map((pair) => Number(pair.ratio.toFixed(2))),
    };

    progress('dispatch, 16 writers, stream state loaded from the database every time');
    // The same database with a cache that keeps nothing (a second PGlite on one data directory aborts).
    const cold = await dispatchThroughput({ ...throughputStore, streamCache: new StreamCache(0) });
    report.dispatch16LoadEveryTime = { ...cold, ratioToRawInsert: Number((cold.perSecond / raw.perSecond).toFixed(2)) };
  } finally {
    await throughputStore.close();
  }

  let store = await openStore(config);
  try {
    await migrateToLatest(store);

    progress(`seeding ${eventsToSeed} events`);
    const seeded = await seedLog(store, Math.ceil(eventsToSeed / 20), (done) => {
      if (done % 200_000 < 20_000) progress(`  ${done} events`);
    });
    await settle(store);

    progress('rebuild of every projection from the log');
    const rebuilt = await rebuildProjections(store, { batchSize: 1000 });
    report.rebuild = { ...rebuilt, eventsPerSecond: Math.round(rebuilt.events / rebuilt.seconds) };
    report.seededEvents = seeded;

    progress(`appending ${webhookWarmup + webhooksToIngest} avatars in training, each waiting for its fal webhook`);
    await seedTrainingInFlight(store, webhookWarmup + webhooksToIngest);
    await settle(store);
  } finally {
    await store.close();
  }

  progress(`webhook ingestion: ${webhooksToIngest} signed fal webhooks at ${webhookConnections} connections, after ${webhookWarmup} not counted`);
  const webhooks = await webhookIngestion(url ? { kind: 'postgres', url, schema } : config, {
    count: webhooksToIngest,
    warmup: webhookWarmup,
    connections: webhookConnections,
  });
  report.webhookIngestion32 = webhooks;

  progress('replay of every stream, in a process of its own (peak RSS is the replay\'s)');
  // A smaller young generation on the main thread, which only reads pages: less RSS, same speed.
  const child = execFileSync(process.execPath, ['--max-semi-space-size=8', '--import', 'tsx', join(import.meta.dirname, 'replay-child.ts')], {
    env: childEnv,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const replay = JSON.parse(child.trim().split('\n').at(-1)!) as { events: number; seconds: number; peakRssMb: number; anomalies: number };
  report.replay = { ...replay, eventsPerSecond: Math.round(replay.events / replay.seconds) };

  const dispatchRatio = (report.dispatch16 as { ratioToRawInsert: number }).ratioToRawInsert;
  const rebuildRate = (report.rebuild as { eventsPerSecond: number }).eventsPerSecond;
  const paidRatio = (report.trainingWithCredits16 as { ratioToWithoutCredits: number }).ratioToWithoutCredits;
  report.targets = {
    dispatchAtLeastHalfOfRawInsert: dispatchRatio >= 0.5,
    paidTrainingAtLeast80PercentOfUnpaid: paidRatio >= 0.8,
    replayAtLeast150kEventsPerSecond: replay.events / replay.seconds >= 150_000,
    replayUnder300MbRss: replay.peakRssMb < 300,
    rebuildAtLeast30kEventsPerSecond: rebuildRate >= 30_000,
    webhooksAtLeast1000PerSecond: webhooks.perSecond >= 1_000,
    webhookP99Under100Ms: webhooks.latencyMs.p99 < 100,
    webhooksWithoutErrors: webhooks.errors === 0,
    ...(config.kind === 'pglite' ? { note: 'targets are defined for Postgres; set DATABASE_URL to measure them' } : {}),
  };
  console.log(JSON.stringify(report, null, 2));
}

try {
  await main();
} finally {
  if (url) {
    const cleanup = await openStore({ kind: 'postgres', url, poolSize: 1 });
    for (const name of [schema, throughputSchema]) await cleanup.db.schema.dropSchema(name).ifExists().cascade().execute();
    await cleanup.close();
  }
  if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
}
