import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * `pnpm bench` at toy sizes: not a measurement (figures here mean nothing), a check that every
 * figure the issues ask for is still produced, from loads that ran without a single error, and
 * that the run leaves no schema behind on the database it measured.
 */
const root = join(import.meta.dirname, '..', '..', '..');
const webhooks = 60;

interface Throughput {
  perSecond: number;
  operations: number;
  errors: number;
  firstError: string | null;
}

interface BenchReport {
  backend: 'pglite' | 'postgres';
  rawInsert16: Throughput;
  dispatch16: Throughput & { ratioToRawInsert: number; ratioEachRound: number[] };
  dispatch16LoadEveryTime: Throughput & { ratioToRawInsert: number };
  trainingWithoutCredits16: Throughput;
  trainingWithCredits16: Throughput & { ratioToWithoutCredits: number; ratioEachRound: number[] };
  rebuild: { events: number; eventsPerSecond: number };
  seededEvents: number;
  webhookIngestion32: {
    requests: number;
    errors: number;
    firstError: string | null;
    outcomes: Record<string, number>;
    warmupRequests: number;
    latencyMs: { p50: number; p99: number };
  };
  replay: { events: number; anomalies: number; peakRssMb: number; eventsPerSecond: number };
  targets: Record<string, boolean | string>;
}

function runBench(databaseUrl: string | undefined): BenchReport {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_EVENTS: '1500', BENCH_SECONDS: '1', BENCH_WEBHOOKS: String(webhooks) };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bench', 'main.ts')], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.is(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as BenchReport;
}

function assertEveryFigure(report: BenchReport) {
  for (const load of [report.rawInsert16, report.dispatch16, report.dispatch16LoadEveryTime, report.trainingWithoutCredits16, report.trainingWithCredits16]) {
    assert.is(load.errors, 0, load.firstError ?? '');
    assert.ok(load.operations > 0);
  }
  assert.ok(report.dispatch16.ratioToRawInsert > 0);
  assert.is(report.dispatch16.ratioEachRound.length, 3, 'the baseline and dispatch ran three times in alternation');
  assert.ok(report.trainingWithCredits16.ratioToWithoutCredits > 0);
  assert.is(report.trainingWithCredits16.ratioEachRound.length, 3, 'trainings with and without credits ran three times in alternation');
  // Rebuild reads the seeded log, all of it and nothing else (the throughput rounds have a schema of their own).
  assert.is(report.rebuild.events, report.seededEvents, `rebuild read ${report.rebuild.events} of ${report.seededEvents} seeded events`);
  const ingestion = report.webhookIngestion32;
  assert.is(ingestion.errors, 0, ingestion.firstError ?? '');
  assert.equal(ingestion.outcomes, { accepted: webhooks });
  assert.is(ingestion.warmupRequests, webhooks / 5);
  assert.ok(ingestion.latencyMs.p50 > 0 && ingestion.latencyMs.p99 >= ingestion.latencyMs.p50);
  // Replay folds everything rebuild saw plus the in-flight trainings and their webhooks.
  assert.ok(report.replay.events > report.rebuild.events);
  assert.is(report.replay.anomalies, 0);
  assert.ok(report.replay.peakRssMb > 0);
  assert.equal(
    Object.keys(report.targets).filter((k) => k !== 'note').sort(),
    [
      'dispatchAtLeastHalfOfRawInsert',
      'paidTrainingAtLeast80PercentOfUnpaid',
      'rebuildAtLeast30kEventsPerSecond',
      'replayAtLeast150kEventsPerSecond',
      'replayUnder300MbRss',
      'webhookP99Under100Ms',
      'webhooksAtLeast1000PerSecond',
      'webhooksWithoutErrors',
    ],
  );
  assert.is(report.targets.webhooksWithoutErrors, true);
}

const test = suite('pnpm bench');

test('on the embedded PGlite: every figure, no load errors, and a note that the targets are for Postgres', () => {
  const report = runBench(undefined);
  assert.is(report.backend, 'pglite');
  assertEveryFigure(report);
  assert.type(report.targets.note, 'string');
});

const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) {
  test('on Postgres: every figure, no load errors, and its throwaway schema is dropped', async () => {
    const schemas = async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>("select nspname as name from pg_namespace where nspname like 'bench\\_%'");
        return rows.map((row) => row.name);
      } finally {
        await client.end();
      }
    };
    const before = await schemas();
    const report = runBench(postgresUrl);
    assert.is(report.backend, 'postgres');
    assertEveryFigure(report);
    assert.equal(await schemas(), before);
  });
}

test.run();
