import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { startFalEmulator, type FalEmulator } from '@avatar/fal-emulator';
import { waitFor } from '@avatar/fal-emulator/testing';
import { walletIdOf } from '@avatar/machine';
import { dispatch, readStream, requestTraining, loadAvatar, walletSummary, type Store } from '@avatar/store';
import { fundWallet, testBackends, type TestStore } from '@avatar/store/testing';
import { startTelegramEmulator, type TelegramEmulator } from '@avatar/telegram-emulator';
import { hintSecret, readyAvatar } from './support.js';

const mainScript = join(import.meta.dirname, '..', 'src', 'main.ts');
const postgres = testBackends().find((backend) => backend.name === 'postgres');
const test = suite<{ store: TestStore; fal: FalEmulator; tg: TelegramEmulator }>('a refund survives a kill of the process settling it');

/** `pnpm start:webhooks` as its own process on the test's schema: the fal workers and the wallet settlements. */
function startApp(store: TestStore, fal: FalEmulator, tg: TelegramEmulator, url: string): { child: ChildProcess; exited: Promise<unknown>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: url,
      DATABASE_SCHEMA: store.schema,
      PORT: '0',
      HOST: '127.0.0.1',
      FAL_KEY: fal.key,
      FAL_BASE_URL: fal.url,
      FAL_JWKS_URL: fal.jwksUrl,
      PUBLIC_URL: 'http://127.0.0.1:9',
      WEBHOOK_HINT_SECRET: hintSecret,
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      FAL_EFFECT_POLL_MS: '100',
      WALLET_SETTLEMENT_LEASE_MS: '2000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, exited: new Promise((resolve) => child.on('exit', resolve)), output: () => output };
}

async function walletTypes(store: Store, ownerId: number): Promise<string[]> {
  return (await readStream(store.db, walletIdOf(ownerId))).map((e) => e.type);
}

if (postgres) {
  const url = process.env.TEST_DATABASE_URL!.trim();
  test.before(async (ctx) => {
    ctx.store = await postgres.open();
    ctx.fal = await startFalEmulator();
    ctx.tg = await startTelegramEmulator();
  });
  test.after(async ({ store, fal, tg }) => {
    await store?.close();
    await fal?.close();
    await tg?.close();
  });

  test('the training fails, the settling process is killed mid-settlement, and the restarted one refunds once', async ({ store, fal, tg }) => {
    const avatarId = await readyAvatar({ store, tg });
    const state = (await loadAvatar(store, avatarId))!.state!;
    const { ownerId } = state.context;
    await fundWallet(store, ownerId, 150);
    const attemptId = crypto.randomUUID();
    assert.is((await requestTraining(store, state, attemptId, 150, { actor: { kind: 'user', userId: ownerId } })).outcome, 'accepted');
    assert.is((await walletSummary(store, ownerId))?.available, 0);

    // The wallet's row is held, so whoever settles blocks inside its statement: a process killed
    // there. (Its backend may still finish that statement once the row is free; the settlement's
    // event id is the reservation's, so either way there is one refund.)
    const settlement = () => store.db.selectFrom('outbox').select(['attempts', 'state']).where('topic', '=', 'wallet').where('stream_id', '=', avatarId).executeTakeFirst();
    await store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('streams').select('stream_id').where('stream_id', '=', walletIdOf(ownerId)).forUpdate().execute();
      const first = startApp(store, fal, tg, url);
      {
        // fal's answer, as the webhook app records it: the attempt fails (no submit was made here).
        const failed = await dispatch(store, avatarId, { type: 'TrainingFailed', attemptId, reason: 'fal: the GPU node was lost', retryable: true }, {
          actor: { kind: 'fal', requestId: 'lost' },
        });
        assert.is(failed.outcome, 'accepted');
        await waitFor('the settlement to be claimed', async () => (await settlement())?.attempts === 1, 60_000);
        first.child.kill('SIGKILL');
        await first.exited;
      }
    });

    const second = startApp(store, fal, tg, url);
    try {
      await waitFor('the refund after the restart', async () => (await walletTypes(store, ownerId)).includes('ReservationReleased'), 60_000);
      await waitFor('the settlement to be done', async () => (await settlement())?.state === 'done', 30_000);
    } catch (error) {
      throw new Error(`${String(error)}\n${JSON.stringify(await settlement())} ${JSON.stringify(await store.db.selectFrom('outbox').select(['last_error','attempts','state']).where('topic','=','wallet').execute())}\n${second.output()}`);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const types = await walletTypes(store, ownerId);
    assert.is(types.filter((t) => t === 'ReservationReleased').length, 1, 'refunded once');
    assert.is((await walletSummary(store, ownerId))?.available, 150, 'the whole price is back');
  });
} else {
  test.skip('needs a Postgres server shared by two processes (TEST_DATABASE_URL)', () => {});
}

test.run();
