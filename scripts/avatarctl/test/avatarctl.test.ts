import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { sql } from 'kysely';
import { walletIdOf, type Actor, type AvatarState } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingFailed } from '@avatar/machine/testing';
import { dispatch, openWallet, readStream, recordTopUp, requestTraining, walletSummary, type Store } from '@avatar/store';
import { testBackends } from '@avatar/store/testing';
import { startTelegramEmulator, type EmulatedUser, type PaymentTarget, type TelegramEmulator } from '@avatar/telegram-emulator';
import { runCli } from '../cli.js';
import { UsageError, type CliContext } from '../io.js';

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
async function avatarctl(store: Store, argv: string[], input?: string, extra: Pick<CliContext, 'env' | 'fetch'> = { env: {} }) {
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
      ...extra,
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
    assert.equal(JSON.parse(earlier.out), { streamId: alex, kind: 'avatar', finalStatus: 'uploading', anomalies: [] });
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
      kind: 'avatar',
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


// --- Credits: wallet, refund-stars, and wallet streams in replay and status ----------------------

const system: Actor = { kind: 'system', component: 'avatarctl test' };

interface BotApiAnswer<T> {
  ok: boolean;
  result?: T;
  description?: string;
}

/** A Bot API call as the bot would make it, straight over HTTP. */
async function botCall<T>(tg: TelegramEmulator, method: string, params: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as BotApiAnswer<T>;
  if (!body.ok) throw new Error(`${method}: ${body.description}`);
  return body.result as T;
}

/** Update ids already read, per emulator (each suite has its own). */
const updateOffsets = new WeakMap<TelegramEmulator, number>();

/** Plays the bot's part of a payment: waits for the pre-checkout query and accepts it. */
async function acceptNextPreCheckout(tg: TelegramEmulator): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const updates = await botCall<{ update_id: number; pre_checkout_query?: { id: string } }[]>(tg, 'getUpdates', {
      offset: updateOffsets.get(tg) ?? 0,
      timeout: 1,
    });
    for (const update of updates) {
      updateOffsets.set(tg, update.update_id + 1);
      if (update.pre_checkout_query) {
        await botCall(tg, 'answerPreCheckoutQuery', { pre_checkout_query_id: update.pre_checkout_query.id, ok: true });
        return;
      }
    }
  }
  throw new Error('no pre_checkout_query arrived');
}

/** A real Stars payment through the emulator: invoice, the user pays, the bot accepts. Returns the charge id. */
async function payStars(tg: TelegramEmulator, user: EmulatedUser, stars: number): Promise<string> {
  await user.sendCommand('/start');
  const invoice = await botCall<PaymentTarget>(tg, 'sendInvoice', {
    chat_id: user.id,
    title: '100 credits',
    description: 'Credits for avatars',
    payload: 'pack-100',
    currency: 'XTR',
    prices: [{ label: '100 credits', amount: stars }],
  });
  const paying = user.pay(invoice);
  await acceptNextPreCheckout(tg);
  const result = await paying;
  if (result.status !== 'paid') throw new Error(`the payment was ${result.status}`);
  return result.telegramPaymentChargeId;
}

/** A user who paid 50 stars for 100 credits, credited to a wallet opened with `welcome` credits. */
async function paidUser(store: Store, tg: TelegramEmulator, welcome = 20) {
  const user = tg.user({ firstName: 'Payer' });
  const chargeId = await payStars(tg, user, 50);
  await openWallet(store, user.id, { welcomeCredits: welcome }, { actor: system });
  const topUp = await recordTopUp(
    store,
    user.id,
    { telegramPaymentChargeId: chargeId, providerPaymentChargeId: `${user.id}_1`, packageId: 'pack-100', credits: 100, stars: 50 },
    { actor: system },
  );
  if (topUp.outcome !== 'accepted') throw new Error(`the top-up was ${topUp.outcome}`);
  return { user, chargeId, walletId: walletIdOf(user.id) };
}

/** An avatar of `ownerId` ready to train, and a training attempt that reserves `credits`. */
async function reservedTraining(store: Store, ownerId: number, attemptId: string, credits: number) {
  const created = avatarCreated({ ownerId, chatId: ownerId, name: 'Credits' });
  let state: AvatarState | null = null;
  for (const event of [created, ...photosAdded(10)]) {
    const result = await dispatch(store, created.avatarId, event, { actor: { kind: 'user', userId: ownerId } });
    if (result.outcome !== 'accepted') throw new Error(`${event.type} was ${result.outcome}`);
    state = result.state;
  }
  const requested = await requestTraining(store, state!, attemptId, credits, { actor: { kind: 'user', userId: ownerId } });
  if (requested.outcome !== 'accepted') throw new Error(`the training request was ${requested.outcome}`);
  return created.avatarId;
}

const refundCalls = (tg: TelegramEmulator) => tg.calls.filter((call) => call.method.toLowerCase() === 'refundstarpayment');
const walletEvents = async (store: Store, walletId: string) => (await readStream(store.db, walletId)).map((e) => e.type);

for (const backend of testBackends()) {
  const test = suite<{ store: Store; tg: TelegramEmulator; telegram: Pick<CliContext, 'env'> }>(`avatarctl credits [${backend.name}]`, {
    store: undefined as never,
    tg: undefined as never,
    telegram: undefined as never,
  });
  test.before(async (ctx) => {
    ctx.store = await backend.open();
    ctx.tg = await startTelegramEmulator({ timeoutMs: 5000 });
    ctx.telegram = { env: { TELEGRAM_BOT_TOKEN: ctx.tg.token, TELEGRAM_API_ROOT: `${ctx.tg.apiRoot}/`, USER: 'ops-alice' } };
  });
  test.after(async (ctx) => {
    await ctx.tg?.close();
    await ctx.store?.close();
  });

  test('refund-stars is refused when the credits are spent: exit 1, nothing written, Telegram not called', async ({ store, tg, telegram }) => {
    const { user, chargeId, walletId } = await paidUser(store, tg, 0);
    await reservedTraining(store, user.id, `attempt-${user.id}`, 30);
    const before = await walletEvents(store, walletId);
    const callsBefore = refundCalls(tg).length;

    const refused = await avatarctl(store, ['refund-stars', String(user.id), chargeId], undefined, telegram);
    assert.is(refused.code, 1, refused.out + refused.err);
    assert.match(refused.err, /refund-stars refused \(credits_spent\): the top-up's 100 credits are no longer there: 70 are available/);
    assert.match(refused.err, /Telegram was not asked to refund/);
    assert.is(refundCalls(tg).length, callsBefore, 'Telegram was not called');
    assert.equal(await walletEvents(store, walletId), before);
    assert.ok(tg.starTransactions().some((t) => t.kind === 'payment' && t.telegramPaymentChargeId === chargeId && !t.refunded));

    const json = await avatarctl(store, ['refund-stars', String(user.id), chargeId, '--json'], undefined, telegram);
    assert.is(json.code, 1);
    const report = JSON.parse(json.out);
    assert.equal([report.wallet, report.telegram, report.code], ['refused', 'not_called', 'credits_spent']);
  });

  test('refund-stars of an unknown charge or a user without a wallet is refused, Telegram not called', async ({ store, tg, telegram }) => {
    const { user } = await paidUser(store, tg);
    const callsBefore = refundCalls(tg).length;
    const unknown = await avatarctl(store, ['refund-stars', String(user.id), 'stxNoSuchCharge'], undefined, telegram);
    assert.is(unknown.code, 1);
    assert.match(unknown.err, /refused \(payment_unknown\): no top-up of user \d+ has the charge id stxNoSuchCharge/);
    const nobody = await avatarctl(store, ['refund-stars', '424242', 'stxWhatever'], undefined, telegram);
    assert.is(nobody.code, 1);
    assert.match(nobody.err, /refused \(payment_unknown\): user 424242 has no wallet/);
    assert.is(refundCalls(tg).length, callsBefore);
  });

  test('refund-stars takes the credits back, then Telegram refunds; a re-run is a no-op that exits 0', async ({ store, tg, telegram }) => {
    const { user, chargeId, walletId } = await paidUser(store, tg, 20);
    assert.is((await walletSummary(store, user.id))?.balance, 120);

    const refunded = await avatarctl(store, ['refund-stars', String(user.id), chargeId], undefined, telegram);
    assert.is(refunded.code, 0, refunded.out + refunded.err);
    assert.match(refunded.out, new RegExp(`took 100 credits back from ${walletId} \\(balance now 20\\); Telegram refunded 50 stars of charge ${chargeId} to user ${user.id}`));
    assert.is((await walletSummary(store, user.id))?.balance, 20);
    const events = await readStream(store.db, walletId);
    assert.equal(events.at(-1)?.type, 'StarsRefunded');
    assert.equal(events.at(-1)?.data, { telegramPaymentChargeId: chargeId, credits: 100, stars: 50 });
    assert.equal(events.at(-1)?.metadata.actor, { kind: 'operator', name: 'ops-alice via avatarctl refund-stars' });
    const [call] = refundCalls(tg).filter((c) => c.params.telegram_payment_charge_id === chargeId);
    assert.equal([call?.status, call?.params.user_id], [200, user.id]);
    assert.ok(tg.starTransactions().some((t) => t.kind === 'refund' && t.telegramPaymentChargeId === chargeId && t.userId === user.id));

    const again = await avatarctl(store, ['refund-stars', String(user.id), chargeId, '--json'], undefined, telegram);
    assert.is(again.code, 0, again.out + again.err);
    assert.equal(JSON.parse(again.out), {
      userId: user.id,
      walletId,
      telegramPaymentChargeId: chargeId,
      credits: 100,
      stars: 50,
      balance: 20,
      wallet: 'taken_back_earlier',
      telegram: 'already_refunded',
    });
    assert.is((await readStream(store.db, walletId)).length, events.length, 'no second wallet event');
    assert.is(tg.starTransactions().filter((t) => t.kind === 'refund' && t.telegramPaymentChargeId === chargeId).length, 1);
  });

  test('when Telegram fails, the credits stay taken back (exit 1, retry message); the re-run refunds once', async ({ store, tg, telegram }) => {
    const { user, chargeId, walletId } = await paidUser(store, tg, 0);
    tg.failNext('refundStarPayment', { errorCode: 502 });
    const failed = await avatarctl(store, ['refund-stars', String(user.id), chargeId], undefined, telegram);
    assert.is(failed.code, 1, failed.out + failed.err);
    assert.match(failed.err, new RegExp(`took 100 credits back from ${walletId} \\(balance now 0\\), but Telegram did not refund 50 stars: the Bot API answered 502: Bad Gateway`));
    assert.match(failed.err, /Re-run the same command to retry the Telegram refund: it is idempotent/);
    assert.not.ok(failed.err.includes(tg.token), 'the token is not printed');
    assert.is((await walletSummary(store, user.id))?.balance, 0);
    assert.not.ok(tg.starTransactions().some((t) => t.kind === 'refund' && t.telegramPaymentChargeId === chargeId));

    const retried = await avatarctl(store, ['refund-stars', String(user.id), chargeId], undefined, telegram);
    assert.is(retried.code, 0, retried.out + retried.err);
    assert.match(retried.out, /were taken back from .* earlier \(balance 0\); Telegram refunded 50 stars/);
    assert.is((await walletEvents(store, walletId)).filter((type) => type === 'StarsRefunded').length, 1);
    assert.ok(tg.starTransactions().some((t) => t.kind === 'refund' && t.telegramPaymentChargeId === chargeId));
  });

  test('a charge Telegram does not know: the credits are taken back, CHARGE_NOT_FOUND exits 1 with the retry message', async ({ store, tg, telegram }) => {
    const user = tg.user({ firstName: 'Ghost' });
    await openWallet(store, user.id, { welcomeCredits: 0 }, { actor: system });
    await recordTopUp(
      store,
      user.id,
      { telegramPaymentChargeId: 'stxRecordedButNeverPaid', providerPaymentChargeId: 'p-1', packageId: 'pack-100', credits: 100, stars: 50 },
      { actor: system },
    );
    const result = await avatarctl(store, ['refund-stars', String(user.id), 'stxRecordedButNeverPaid', '--json'], undefined, telegram);
    assert.is(result.code, 1);
    const report = JSON.parse(result.out);
    assert.equal([report.wallet, report.telegram, report.retry, report.balance], ['taken_back', 'failed', true, 0]);
    assert.match(report.reason, /the Bot API answered 400: Bad Request: CHARGE_NOT_FOUND/);
  });

  test('refund-stars without valid Telegram settings exits 2 before writing anything', async ({ store, tg }) => {
    const { user, chargeId, walletId } = await paidUser(store, tg);
    const before = await walletEvents(store, walletId);
    for (const env of [{}, { TELEGRAM_BOT_TOKEN: 'not-a-token' }, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: 'ftp://example.org' }]) {
      const result = await avatarctl(store, ['refund-stars', String(user.id), chargeId], undefined, { env });
      assert.is(result.code, 2, JSON.stringify(env));
      assert.match(result.err, /refund-stars needs the bot's Telegram settings/);
    }
    assert.equal(await walletEvents(store, walletId), before);
    for (const argv of [['refund-stars'], ['refund-stars', '12'], ['refund-stars', 'alice', 'stx1'], ['wallet'], ['wallet', '-5']]) {
      const result = await avatarctl(store, argv);
      assert.is(result.code, 2, argv.join(' '));
    }
  });

  test('wallet shows balance, reserved, available, what each reservation pays for, top-ups and the timeline', async ({ store, tg }) => {
    const { user, chargeId, walletId } = await paidUser(store, tg, 20);
    const attemptId = `attempt-w-${user.id}`;
    const avatarId = await reservedTraining(store, user.id, attemptId, 30);

    const text = await avatarctl(store, ['wallet', String(user.id)]);
    assert.is(text.code, 0, text.out + text.err);
    assert.match(text.out, new RegExp(`wallet ${walletId} \\(user ${user.id}\\) at version 4`));
    assert.match(text.out, /balance +120\n +reserved +30\n +available +90/);
    assert.match(text.out, /read model +balance 120, reserved 30, 1 open, version 4/);
    assert.match(text.out, new RegExp(`${attemptId} +30 credits for training attempt ${attemptId} of avatar ${avatarId}`));
    assert.match(text.out, new RegExp(`${chargeId} +pack-100: 100 credits for 50 stars\\n`));
    assert.match(text.out, /v1 .*WalletOpened/);
    assert.match(text.out, /v2 .*CreditsGranted +system avatarctl test +\+20 +balance 20, reserved 0 +\(grant welcome\)\n/);
    assert.match(text.out, /v3 .*TopUpPaid .*\+100 +balance 120, reserved 0 +\(charge stx\S+, 50 stars\)/);
    assert.match(text.out, new RegExp(`v4 .*CreditsReserved +user ${user.id} +30 held +balance 120, reserved 30 +\\(training attempt ${attemptId}`));
    assert.match(text.out, /no anomalies/);

    const json = await avatarctl(store, ['wallet', walletId, '--json']);
    assert.is(json.code, 0);
    const report = JSON.parse(json.out);
    assert.equal([report.balance, report.reserved, report.available, report.version], [120, 30, 90, 4]);
    assert.equal(report.reservations, [{ reservationId: attemptId, credits: 30, purpose: { kind: 'training', avatarId, attemptId } }]);
    assert.equal(report.topUps, [{ telegramPaymentChargeId: chargeId, packageId: 'pack-100', credits: 100, stars: 50, refunded: false }]);
    assert.equal(
      report.timeline.map((row: { type: string; credits: number | null; balance: number; available: number }) => [row.type, row.credits, row.balance, row.available]),
      [
        ['WalletOpened', null, 0, 0],
        ['CreditsGranted', 20, 20, 20],
        ['TopUpPaid', 100, 120, 120],
        ['CreditsReserved', 30, 120, 90],
      ],
    );
    assert.equal(report.anomalies, []);

    const missing = await avatarctl(store, ['wallet', '31337']);
    assert.is(missing.code, 2);
    assert.match(missing.err, /user 31337 has no wallet/);

    const status = await avatarctl(store, ['status', avatarId]);
    assert.match(status.out, new RegExp(`owner wallet +${walletId}: balance 120, reserved 30, available 90`));
  });

  test('replay and status read wallet streams; a stuck reservation is a wallet_invariant anomaly: exit 1', async ({ store, tg }) => {
    const { user, walletId } = await paidUser(store, tg, 20);
    const attemptId = `attempt-stuck-${user.id}`;
    const avatarId = await reservedTraining(store, user.id, attemptId, 30);

    const clean = await avatarctl(store, ['replay', walletId]);
    assert.is(clean.code, 0, clean.out);
    assert.match(clean.out, new RegExp(`wallet ${walletId}: open at version 4`));
    assert.match(clean.out, /v3 .*TopUpPaid +system avatarctl test +balance 20, reserved 0 → balance 120, reserved 0/);
    assert.is((await avatarctl(store, ['status', walletId])).code, 0);

    // The attempt fails, and its settlement (the outbox row that would release the credits) is lost.
    const failed = await dispatch(store, avatarId, trainingFailed(attemptId, 'GPU ran out of memory'), { actor: { kind: 'fal', requestId: 'r' } });
    assert.is(failed.outcome, 'accepted');
    await sql`delete from outbox where topic = 'wallet'`.execute(store.db);

    const text = await avatarctl(store, ['replay', walletId]);
    assert.is(text.code, 1, text.out);
    assert.match(text.out, new RegExp(`wallet_invariant at v4 \\(wallet\\): reservation ${attemptId} \\(30 credits\\) is open, but training attempt ${attemptId} of avatar ${avatarId} is no longer in flight`));
    const json = await avatarctl(store, ['replay', walletId, '--json']);
    assert.is(json.code, 1);
    const replayed = JSON.parse(json.out);
    assert.equal([replayed.kind, replayed.finalStatus], ['wallet', 'open']);
    assert.equal(replayed.anomalies.map((a: { kind: string; version: number }) => [a.kind, a.version]), [['wallet_invariant', 4]]);

    const status = await avatarctl(store, ['status', walletId]);
    assert.is(status.code, 1, status.out + status.err);
    assert.match(status.out, /balance +120\n +reserved +30/);
    assert.match(status.out, /1 anomaly:\n +wallet_invariant at v4 \(wallet\): reservation/);

    const wallet = await avatarctl(store, ['wallet', String(user.id), '--json']);
    assert.is(wallet.code, 1);
    assert.is(JSON.parse(wallet.out).anomalies[0].kind, 'wallet_invariant');

    const all = await avatarctl(store, ['replay', '--all']);
    assert.is(all.code, 1);
    assert.match(all.out, new RegExp(`wallet ${walletId}: open at version 4\\n +1 anomaly:\\n +wallet_invariant`));
    const allJson = await avatarctl(store, ['replay', '--all', '--json']);
    assert.is(allJson.code, 1);
    const lines = allJson.out.trim().split('\n').map((l) => JSON.parse(l) as { streamId: string; kind: string; anomalies: { kind: string }[] });
    assert.equal(lines.find((l) => l.streamId === walletId)?.anomalies.map((a) => a.kind), ['wallet_invariant']);
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
