/**
 * `pnpm demo`: the whole service, offline. Starts the Telegram and fal emulators on loopback, the
 * real service against them on a fresh embedded database, and walks a scripted user through a
 * journey (see journey.ts). Prints the chat as a transcript, each avatar's replayed timeline, and
 * a verdict; exits 0 only if every step behaved as specified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFalGateway, FalJwksCache } from '@avatar/fal';
import { startFalEmulator } from '@avatar/fal-emulator';
import { startService } from '@avatar/service';
import { migrateToLatest, openStore, replayStream } from '@avatar/store';
import { renderTranscript, startTelegramEmulator } from '@avatar/telegram-emulator';
import { pino } from 'pino';
import { formatTimeline } from '../avatarctl/format.js';
import { Checks } from './checks.js';
import { walkJourney, type JourneyResult } from './journey.js';

const started = performance.now();
const print = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => print(`\n━━ ${title} ${'━'.repeat(Math.max(0, 76 - title.length))}`);
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

const dataDir = mkdtempSync(join(tmpdir(), 'avatar-demo-'));
const logFile = join(dataDir, 'service.log');
const checks = new Checks(print);

heading('Setting up');
const tg = await startTelegramEmulator({ botUsername: 'avatar_demo_bot', botName: 'Avatar Bot', timeoutMs: 30_000 });
const fal = await startFalEmulator({ queueMs: 300, trainingMs: 2_500, generationMs: 400, webhookRetryDelaysMs: [250, 500, 1_000, 2_000] });
const store = await openStore({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
await migrateToLatest(store);
const inspectorToken = crypto.randomUUID();
const service = await startService({
  store,
  logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: false })),
  telegram: { token: tg.token, apiRoot: tg.apiRoot, botInfo: tg.botInfo, webhook: null },
  fal: { gateway: createFalGateway({ credentials: fal.key, baseUrl: fal.url }), keys: new FalJwksCache({ url: fal.jwksUrl }) },
  http: { port: 0, host: '127.0.0.1' },
  hintSecret: crypto.randomUUID() + crypto.randomUUID(),
  inspectorToken,
  notifierIdleMs: 200,
  timings: {
    effectPollMs: 100,
    retryBaseMs: 200,
    maxRetryDelayMs: 2_000,
    reconcilePollMs: 250,
    // A webhook later than this is presumed lost and fal is asked directly.
    reconcileAfterMs: 4_000,
    reconcileEveryMs: 1_000,
    projectorPollMs: 250,
  },
});
print(`  Telegram emulator ${tg.apiRoot}, fal emulator ${fal.url}`);
print(`  service ${service.url} on embedded PGlite (${store.description}); logs in ${logFile}`);

const user = tg.user({ firstName: 'Alice', languageCode: 'en' });
heading('The journey');
let result: JourneyResult = { avatars: [], generations: [], wallets: [] };
try {
  result = await walkJourney({ store, fal, user, checks, say: (line) => print(`\n  ${line}`) });
} catch (error) {
  checks.fail('the journey ran to its end', error instanceof Error ? error.message : String(error));
}

heading('The chat, as Alice saw it (✎: the bot edited an earlier message in place)');
print(renderTranscript(user.transcript({ edits: true }), { botName: 'Bot' }).replace(/^/gm, '  '));

heading('Replayed timelines (each avatar\'s, generation\'s and wallet\'s log folded through the current model)');
for (const streamId of [...result.avatars, ...result.generations, ...result.wallets]) {
  const replay = await replayStream(store, streamId);
  print();
  for (const line of formatTimeline(replay)) print(`  ${line}`);
  checks.expect(`${replay.kind} ${streamId.slice(0, 8)} replays with no anomaly`, replay.anomalies.length === 0, replay.anomalies.map((a) => a.reason).join('; '));
}
checks.expect('every tap was answered', tg.unansweredCallbacks().length === 0, `${tg.unansweredCallbacks().length} unanswered`);

await service.stop();
await store.close();
await fal.close();
await tg.close();

heading('Verdict');
const failed = checks.failed;
if (failed.length === 0) {
  print(`  ✔ the demo behaved as specified: ${checks.passed}/${checks.total} checks passed in ${seconds()} s`);
  rmSync(dataDir, { recursive: true, force: true });
} else {
  print(`  ✘ ${failed.length} of ${checks.total} checks failed in ${seconds()} s: ${failed.map((f) => f.name).join('; ')}`);
  print(`    the service log is kept in ${logFile}`);
}
process.exitCode = failed.length === 0 ? 0 : 1;
