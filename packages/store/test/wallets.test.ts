import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { trainingRequest, trainingReservation, walletIdOf, type AvatarState, type GenerationEvent, type GenerationOrder } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingFailed, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { streamWrite, commitWrite } from '../src/commit.js';
import { GroupCommit } from '../src/group-commit.js';
import { StreamCache } from '../src/stream-cache.js';
import { foldPending } from '../src/stream-change.js';
import {
  append,
  claimEffects,
  dispatch,
  findAvatar,
  importEvents,
  loadAvatar,
  loadStream,
  openWallet,
  readStream,
  rebuildProjections,
  recordStarsRefund,
  recordTopUp,
  replayAll,
  replayStream,
  requestGeneration,
  requestTraining,
  reservationEventId,
  settleReservationsOnce,
  walletSummary,
  WrongExpectedVersionError,
  type RecordedEvent,
  type Store,
} from '../src/index.js';
import { rename, storeSuites, system, writeAsGroup } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// Helpers. Tests in a suite share a schema, so every test has owners (and wallets) of its own.

let lastOwner = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
const newOwner = () => ++lastOwner;
const asUser = (ownerId: number) => ({ actor: { kind: 'user' as const, userId: ownerId } });
const fal = (requestId: string) => ({ actor: { kind: 'fal' as const, requestId } });
const trainingPrice = 150;
const imagePrice = 5;

/** Opens `ownerId`'s wallet with `credits` as its welcome grant. */
async function funded(store: Store, credits: number, ownerId = newOwner()): Promise<number> {
  await openWallet(store, ownerId, { welcomeCredits: credits }, asUser(ownerId));
  return ownerId;
}

/** An avatar of `ownerId` with 10 photos, ready to train; returns its state. */
async function readyOf(store: Store, ownerId: number): Promise<AvatarState> {
  const created = avatarCreated({ ownerId, chatId: ownerId });
  await dispatch(store, created.avatarId, created, asUser(ownerId));
  for (const photo of photosAdded(10)) await dispatch(store, created.avatarId, photo, asUser(ownerId));
  return (await loadAvatar(store, created.avatarId))!.state!;
}

async function version(store: Store, streamId: string): Promise<number | null> {
  const row = await store.db.selectFrom('streams').select('version').where('stream_id', '=', streamId).executeTakeFirst();
  return row?.version ?? null;
}

async function walletRow(store: Store, ownerId: number) {
  return store.db
    .selectFrom('wallets')
    .select(['balance', 'reserved', 'open_reservations', 'version'])
    .where('wallet_id', '=', walletIdOf(ownerId))
    .executeTakeFirst();
}

/** The wallet as the log folds it (balance, reserved, available) and as its read-model row has it. */
async function money(store: Store, ownerId: number) {
  const summary = await walletSummary(store, ownerId);
  const row = await walletRow(store, ownerId);
  assert.ok(summary && row, `wallet ${ownerId} is open`);
  assert.equal([row.balance, row.reserved, row.version], [summary.balance, summary.reserved, summary.version], 'the wallets row agrees with the log');
  return { balance: summary.balance, reserved: summary.reserved, available: summary.available };
}

async function walletEvents(store: Store, ownerId: number, type?: string): Promise<RecordedEvent[]> {
  const events = await readStream(store.db, walletIdOf(ownerId));
  return type ? events.filter((e) => e.type === type) : events;
}

async function outboxOf(store: Store, streamId: string, kind: string) {
  return store.db.selectFrom('outbox').select(['id', 'state', 'payload']).where('stream_id', '=', streamId).where('kind', '=', kind).orderBy('id').execute();
}

/** Settles every wallet effect that is due now, so a test's counts are its own. */
async function drainSettlements(store: Store): Promise<void> {
  for (;;) {
    const report = await settleReservationsOnce(store, { limit: 500 });
    if (report.settled + report.skipped + report.failed === 0) return;
  }
}

/** Starts a paid training attempt; returns its attempt id. */
async function paidTraining(store: Store, avatar: AvatarState, credits = trainingPrice): Promise<string> {
  const attemptId = crypto.randomUUID();
  const result = await requestTraining(store, avatar, attemptId, credits, asUser(avatar.context.ownerId));
  assert.is(result.outcome, 'accepted', JSON.stringify(result));
  return attemptId;
}

/** A completed avatar of `ownerId`, trained without credits (history from before the wallet). */
async function completedOf(store: Store, ownerId: number): Promise<string> {
  const ready = await readyOf(store, ownerId);
  const id = ready.context.avatarId;
  const attemptId = crypto.randomUUID();
  await dispatch(store, id, trainingRequest(ready, attemptId), asUser(ownerId));
  await dispatch(store, id, trainingSubmitted(attemptId), { actor: system });
  await dispatch(store, id, trainingCompleted(attemptId), fal(`req-${attemptId}`));
  return id;
}

function order(): GenerationOrder {
  return { generationId: crypto.randomUUID(), prompt: 'in a red coat', aspectRatio: '3:4', numImages: 1 };
}

/** Another instance of the service on the same database: its own stream cache and group commit. */
function secondInstance(store: Store): Store {
  return { ...store, streamCache: new StreamCache(1000), groupCommit: new GroupCommit(store.db, { statements: 2, streamsPerStatement: 32 }) };
}

/** A group commit that records how each write it was handed ended. */
class RecordingGroupCommit extends GroupCommit {
  readonly outcomes: (string[] | Error)[] = [];
  override async write(write: Parameters<GroupCommit['write']>[0]) {
    try {
      const recorded = await super.write(write);
      this.outcomes.push(recorded.map((e) => `${e.streamId}@${e.version}`));
      return recorded;
    } catch (error) {
      this.outcomes.push(error as Error);
      throw error;
    }
  }
}

/**
 * The write `requestTraining` makes, built by hand so a test can state the versions it expects:
 * the avatar's TrainingRequested with the wallet's CreditsReserved linked to it.
 */
async function linkedTrainingWrite(store: Store, avatarId: string, attemptId: string, { walletExpected }: { walletExpected?: number } = {}) {
  const avatar = await loadStream(store.db, 'avatar', avatarId);
  const walletId = walletIdOf(avatar.state!.context.ownerId);
  const wallet = await loadStream(store.db, 'wallet', walletId);
  const metadata = { actor: system };
  const a = foldPending('avatar', avatar.state, [{ event: trainingRequest(avatar.state!, attemptId), eventId: crypto.randomUUID(), metadata }]);
  const w = foldPending('wallet', wallet.state, [
    { event: trainingReservation(avatarId, attemptId, trainingPrice), eventId: crypto.randomUUID(), metadata },
  ]);
  const head = streamWrite({ kind: 'avatar', streamId: avatarId, ...a }, { expected: avatar.version!, sideEffects: true });
  const linked = streamWrite({ kind: 'wallet', streamId: walletId, ...w }, { expected: walletExpected ?? wallet.version!, sideEffects: true });
  return { ...head, linked: [linked] };
}

storeSuites('wallets and credits', (test) => {
  test('openWallet gives the welcome credits once, however often and however concurrently it is called', async ({ store }) => {
    const owner = newOwner();
    const other = secondInstance(store);
    const calls = Array.from({ length: 6 }, (_, i) => openWallet(i % 2 ? other : store, owner, { welcomeCredits: 50 }, asUser(owner)));
    await Promise.all(calls);
    await openWallet(store, owner, { welcomeCredits: 50 }, asUser(owner));
    assert.equal((await walletEvents(store, owner)).map((e) => e.type), ['WalletOpened', 'CreditsGranted']);
    assert.equal(await money(store, owner), { balance: 50, reserved: 0, available: 50 });
    const summary = await walletSummary(store, owner, { recent: 1 });
    assert.equal(summary?.recent.map((e) => e.type), ['CreditsGranted'], 'the latest event, newest first');
    assert.is(await walletSummary(store, newOwner()), null, 'a wallet never opened');
  });

  // -------------------------------------------------------------------------------------------
  // Paying for a training attempt in the statement that starts it.

  test('requestTraining appends TrainingRequested and CreditsReserved in one commit, and the wallets row shows the reservation', async ({ store }) => {
    const owner = await funded(store, 200);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = crypto.randomUUID();
    const result = await requestTraining(store, ready, attemptId, trainingPrice, asUser(owner));
    assert.is(result.outcome, 'accepted');
    if (result.outcome !== 'accepted') return;
    const [avatar, wallet] = result.streams;
    assert.equal([avatar.status, avatar.version, wallet.status, wallet.version], ['training', 12, 'open', 3]);

    const requested = (await readStream(store.db, id)).at(-1)!;
    const reserved = (await walletEvents(store, owner)).at(-1)!;
    assert.equal([requested.type, reserved.type], ['TrainingRequested', 'CreditsReserved']);
    assert.is(reserved.transactionId, requested.transactionId, 'one commit');
    assert.is(reserved.eventId, reservationEventId(attemptId));
    assert.equal(reserved.data, { reservationId: attemptId, credits: trainingPrice, purpose: { kind: 'training', avatarId: id, attemptId } });
    assert.equal(await walletRow(store, owner), { balance: 200, reserved: trainingPrice, open_reservations: 1, version: 3 });
    assert.equal(await money(store, owner), { balance: 200, reserved: 150, available: 50 });
    assert.is((await findAvatar(store.db, id))?.status, 'training');
    assert.is((await outboxOf(store, id, 'SubmitTraining')).length, 1);
  });

  test('not enough credits: the training is refused and neither stream is written', async ({ store }) => {
    const owner = await funded(store, 100);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const result = await requestTraining(store, ready, crypto.randomUUID(), trainingPrice, asUser(owner));
    assert.is(result.outcome, 'rejected');
    if (result.outcome !== 'rejected') return;
    assert.equal([result.streamId, result.rejection.code], [walletIdOf(owner), 'insufficient_credits']);
    assert.is(result.rejection.reason, '150 credits are needed and 100 are available');
    assert.equal([await version(store, id), await version(store, walletIdOf(owner))], [11, 2]);
    assert.is((await findAvatar(store.db, id))?.status, 'ready');
    assert.equal(await walletRow(store, owner), { balance: 100, reserved: 0, open_reservations: 0, version: 2 });
    assert.equal(await outboxOf(store, id, 'SubmitTraining'), []);

    // A user with no wallet at all is refused the same way: nothing is started for free.
    const walletless = await readyOf(store, newOwner());
    const unpaid = await requestTraining(store, walletless, crypto.randomUUID(), trainingPrice, asUser(walletless.context.ownerId));
    assert.is(unpaid.outcome === 'rejected' && unpaid.rejection.code, 'stream_missing');
    assert.is(await version(store, walletless.context.avatarId), 11);
  });

  test('a double tap: two concurrent requests for one attempt reserve once and submit one fal job', async ({ store }) => {
    for (const instances of ['one instance', 'two instances']) {
      const owner = await funded(store, 1000);
      const ready = await readyOf(store, owner);
      const id = ready.context.avatarId;
      const attemptId = crypto.randomUUID();
      const other = instances === 'one instance' ? store : secondInstance(store);
      const results = await Promise.all([
        requestTraining(store, ready, attemptId, trainingPrice, asUser(owner)),
        requestTraining(other, ready, attemptId, trainingPrice, asUser(owner)),
      ]);
      assert.equal(results.filter((r) => r.outcome === 'accepted').length, 1, `${instances}: ${JSON.stringify(results.map((r) => r.outcome))}`);
      assert.is((await readStream(store.db, id)).filter((e) => e.type === 'TrainingRequested').length, 1, instances);
      assert.is((await walletEvents(store, owner, 'CreditsReserved')).length, 1, instances);
      assert.is((await outboxOf(store, id, 'SubmitTraining')).length, 1, instances);
      assert.equal(await money(store, owner), { balance: 1000, reserved: 150, available: 850 }, instances);
    }
  });

  test('a stale "start training" on an avatar that has completed since charges nothing', async ({ store }) => {
    const owner = await funded(store, 1000);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const readyCache = store.streamCache.get(id, 'avatar')!;
    const attemptId = await paidTraining(store, ready);
    await dispatch(store, id, trainingSubmitted(attemptId), { actor: system });
    await dispatch(store, id, trainingCompleted(attemptId), fal(`req-${attemptId}`));
    await drainSettlements(store);
    assert.equal(await money(store, owner), { balance: 850, reserved: 0, available: 850 });
    const walletVersion = await version(store, walletIdOf(owner));

    // The old button carries the ready state; this instance's cache even still believes it.
    for (const cache of ['fresh cache', 'stale cache']) {
      if (cache === 'stale cache') store.streamCache.set(id, 'avatar', readyCache.version, readyCache.state);
      for (const attempt of [attemptId, crypto.randomUUID()]) {
        const stale = await requestTraining(store, ready, attempt, trainingPrice, asUser(owner));
        assert.ok(stale.outcome !== 'accepted', `${cache}: ${JSON.stringify(stale)}`);
      }
    }
    assert.is(await version(store, walletIdOf(owner)), walletVersion);
    assert.is((await walletEvents(store, owner, 'CreditsReserved')).length, 1);
    assert.equal(await money(store, owner), { balance: 850, reserved: 0, available: 850 });
    assert.is((await findAvatar(store.db, id))?.status, 'completed');
  });

  // -------------------------------------------------------------------------------------------
  // Linked writes: all streams of a change, or none.

  test('a linked write whose wallet moved writes neither stream, and says which stream failed its check', async ({ store }) => {
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const walletId = walletIdOf(owner);
    const write = await linkedTrainingWrite(store, id, crypto.randomUUID(), { walletExpected: 1 });
    try {
      await commitWrite(store.db, write);
      assert.unreachable('the linked write landed');
    } catch (error) {
      assert.instance(error, WrongExpectedVersionError);
      const conflict = error as WrongExpectedVersionError;
      assert.equal([conflict.streamId, conflict.expected, conflict.actual], [walletId, 1, 2]);
    }
    assert.equal([await version(store, id), await version(store, walletId)], [11, 2]);
    assert.is((await findAvatar(store.db, id))?.status, 'ready');
    assert.equal(await outboxOf(store, id, 'SubmitTraining'), []);
    assert.equal(await walletRow(store, owner), { balance: 500, reserved: 0, open_reservations: 0, version: 2 });
    // Inside a transaction (dispatch's locked retry) the same: nothing, and the stream named.
    try {
      await store.db.transaction().execute((trx) => commitWrite(trx, write));
      assert.unreachable('the linked write landed in a transaction');
    } catch (error) {
      assert.instance(error, WrongExpectedVersionError);
      assert.is((error as WrongExpectedVersionError).streamId, walletId);
    }
    assert.equal([await version(store, id), await version(store, walletId)], [11, 2]);
    // At the right versions the same write lands whole.
    const recorded = await commitWrite(store.db, await linkedTrainingWrite(store, id, crypto.randomUUID()));
    assert.equal(recorded.map((e) => [e.streamId, e.version, e.type]), [
      [id, 12, 'TrainingRequested'],
      [walletId, 3, 'CreditsReserved'],
    ]);
    assert.is(recorded[0]!.transactionId, recorded[1]!.transactionId);
    store.streamCache.forget(id);
    store.streamCache.forget(walletId);
  });

  test('dispatchTogether on a stale cached version: the first statement writes nothing, the retry lands once', async ({ store }) => {
    for (const staleStream of ['wallet', 'avatar'] as const) {
      const owner = await funded(store, 500);
      const walletId = walletIdOf(owner);
      const ready = await readyOf(store, owner);
      const id = ready.context.avatarId;
      // Another instance moves one stream on; this instance's cache still holds the version before.
      const staleId = staleStream === 'wallet' ? walletId : id;
      const cached = store.streamCache.get(staleId, staleStream)!;
      assert.ok(cached, `${staleStream} is cached`);
      const other = secondInstance(store);
      if (staleStream === 'wallet') await dispatch(other, walletId, { type: 'CreditsGranted', grantId: 'promo-1', credits: 100, reason: 'promo' }, { actor: system });
      else await dispatch(other, id, { type: 'AvatarRenamed', name: 'renamed' }, asUser(owner));
      store.streamCache.set(staleId, staleStream, cached.version, cached.state as never);

      const recording = new RecordingGroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
      const attemptId = crypto.randomUUID();
      const ownersStore = { ...store, groupCommit: recording };
      // Unrelated writes of other users go out in the same statement.
      const bystanders = [(await readyOf(store, newOwner())).context.avatarId, (await readyOf(store, newOwner())).context.avatarId];
      const [result, ...renamed] = await Promise.all([
        requestTraining(ownersStore, ready, attemptId, trainingPrice, asUser(owner)),
        ...bystanders.map((other) => dispatch(ownersStore, other, { type: 'AvatarRenamed', name: 'bystander' }, { actor: system })),
      ]);
      assert.is(result.outcome, 'accepted', JSON.stringify(result));
      assert.ok(renamed.every((r) => r.outcome === 'accepted'), 'the bystanders landed');
      for (const other of bystanders) assert.is((await findAvatar(store.db, other))?.name, 'bystander');
      // They shared the refused statement: Postgres refused it whole, and each was written again alone.
      const bystanderCommits = await Promise.all(bystanders.map(async (other) => (await readStream(store.db, other)).at(-1)!.transactionId));
      assert.is(new Set(bystanderCommits).size, 2, 'written alone after the shared statement was refused');
      // The first statement for the change was refused (by the stale stream's check), the retry landed.
      const ours = recording.outcomes.filter((o) => o instanceof Error || o.some((e) => e.startsWith(`${id}@`)));
      assert.is(ours.length, 2, JSON.stringify(recording.outcomes));
      assert.instance(ours[0], WrongExpectedVersionError);
      assert.is((ours[0] as WrongExpectedVersionError).streamId, staleId);
      const [avatarAt, walletAt] = staleStream === 'wallet' ? [12, 4] : [13, 3];
      assert.equal(ours[1], [`${id}@${avatarAt}`, `${walletId}@${walletAt}`]);
      // Exactly one of each: a partial first write would have made the retry a refusal.
      const avatarEvents = await readStream(store.db, id);
      assert.equal(avatarEvents.map((e) => e.version), Array.from({ length: avatarAt }, (_, i) => i + 1));
      assert.is(avatarEvents.filter((e) => e.type === 'TrainingRequested').length, 1);
      assert.is((await walletEvents(store, owner, 'CreditsReserved')).length, 1);
      const balance = staleStream === 'wallet' ? 600 : 500;
      assert.equal(await money(store, owner), { balance, reserved: 150, available: balance - 150 }, staleStream);
    }
  });

  test('dispatchTogether with concurrent writers to the same wallet, on this and another instance: every change lands', async ({ store }) => {
    const owner = await funded(store, 150);
    const walletId = walletIdOf(owner);
    const ready = await readyOf(store, owner);
    const other = secondInstance(store);
    const grant = (n: number, on: Store) =>
      dispatch(on, walletId, { type: 'CreditsGranted', grantId: `promo-${n}`, credits: 10, reason: 'promo' }, { actor: system });
    const results = await Promise.all([
      grant(1, other),
      requestTraining(store, ready, crypto.randomUUID(), trainingPrice, asUser(owner)),
      grant(2, store),
      grant(3, other),
      recordTopUp(other, owner, { telegramPaymentChargeId: `charge-${owner}`, providerPaymentChargeId: '', packageId: 'p200', credits: 200, stars: 100 }, asUser(owner)),
      grant(4, store),
    ]);
    assert.ok(results.every((r) => r.outcome === 'accepted'), JSON.stringify(results.map((r) => r.outcome)));
    assert.equal(await money(store, owner), { balance: 390, reserved: 150, available: 240 });
    assert.equal((await walletEvents(store, owner)).map((e) => e.version), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.is((await findAvatar(store.db, ready.context.avatarId))?.status, 'training');
  });

  test('inside group commit, a refused linked write leaves the unrelated writes of its statement to land', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const walletId = walletIdOf(owner);
    const others = [(await readyOf(store, newOwner())).context.avatarId, (await readyOf(store, newOwner())).context.avatarId];
    const stale = await linkedTrainingWrite(store, id, crypto.randomUUID(), { walletExpected: 1 });
    const renames = await Promise.all(others.map((other) => rename(store, group, other, 'renamed')));
    const outcomes = await writeAsGroup<unknown>([renames[0]!.write, () => commitWrite(group, stale), renames[1]!.write]);
    assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    const refused = (outcomes[1] as PromiseRejectedResult).reason;
    assert.instance(refused, WrongExpectedVersionError);
    assert.is((refused as WrongExpectedVersionError).streamId, walletId);
    for (const other of others) assert.is((await findAvatar(store.db, other))?.name, 'renamed');
    assert.equal([await version(store, id), await version(store, walletId)], [11, 2]);
    assert.is((await findAvatar(store.db, id))?.status, 'ready');
    assert.equal(await outboxOf(store, id, 'SubmitTraining'), []);

    // A linked write that holds shares the statement, and the commit, with the others.
    const good = await linkedTrainingWrite(store, id, crypto.randomUUID());
    const again = await Promise.all(others.map((other) => rename(store, group, other, 'again')));
    const landed = await writeAsGroup<unknown>([again[0]!.write, () => commitWrite(group, good), again[1]!.write]);
    assert.equal(landed.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled']);
    const recorded = (landed[1] as PromiseFulfilledResult<RecordedEvent[]>).value;
    assert.equal(recorded.map((e) => [e.streamId, e.version, e.type]), [
      [id, 12, 'TrainingRequested'],
      [walletId, 3, 'CreditsReserved'],
    ]);
    const transactions = new Set(
      [...(await readStream(store.db, id)).slice(-1), ...(await walletEvents(store, owner)).slice(-1), ...(await readStream(store.db, others[0]!)).slice(-1)].map(
        (e) => e.transactionId,
      ),
    );
    assert.is(transactions.size, 1, 'one commit');
    assert.equal([await version(store, id), await version(store, walletId)], [12, 3]);
    assert.equal(await walletRow(store, owner), { balance: 500, reserved: 150, open_reservations: 1, version: 3 });
    store.streamCache.forget(id);
    store.streamCache.forget(walletId);
  });

  test('many users starting a paid training at once share statements, and each change lands whole', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const grouped = { ...store, groupCommit: group };
    const owners = await Promise.all(Array.from({ length: 12 }, (_, i) => funded(store, i % 3 === 0 ? 100 : 200)));
    const avatars = await Promise.all(owners.map((owner) => readyOf(store, owner)));
    const results = await Promise.all(avatars.map((avatar) => requestTraining(grouped, avatar, crypto.randomUUID(), trainingPrice, asUser(avatar.context.ownerId))));
    const transactions = new Set<string>();
    for (const [i, result] of results.entries()) {
      const owner = owners[i]!;
      const id = avatars[i]!.context.avatarId;
      if (i % 3 === 0) {
        assert.is(result.outcome === 'rejected' && result.rejection.code, 'insufficient_credits');
        assert.equal([await version(store, id), await version(store, walletIdOf(owner))], [11, 2]);
        continue;
      }
      assert.is(result.outcome, 'accepted', JSON.stringify(result));
      if (result.outcome !== 'accepted') continue;
      assert.equal(result.streams.map((s) => [s.streamId, s.version]), [
        [id, 12],
        [walletIdOf(owner), 3],
      ]);
      const requested = (await readStream(store.db, id)).at(-1)!;
      const reserved = (await walletEvents(store, owner)).at(-1)!;
      assert.is(reserved.transactionId, requested.transactionId);
      transactions.add(requested.transactionId);
      assert.equal(await money(store, owner), { balance: 200, reserved: 150, available: 50 });
    }
    assert.ok(transactions.size < 8, `${transactions.size} commits for 8 paid trainings`);
  });

  test('50 concurrent generations by one user with credits for exactly 10: 10 succeed, 40 are refused, none throws', async ({ store }) => {
    const owner = await funded(store, 10 * imagePrice);
    const avatarId = await completedOf(store, owner);
    const other = secondInstance(store);
    const orders = Array.from({ length: 50 }, order);
    const outcomes = await Promise.allSettled(
      orders.map((o, i) => requestGeneration(i % 2 === 0 ? store : other, avatarId, o, imagePrice, asUser(owner))),
    );
    const thrown = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String(o.reason));
    assert.equal(thrown, []);
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof requestGeneration>>>).value);
    const accepted = results.filter((r) => r.outcome === 'accepted');
    const refusals = results.flatMap((r) => (r.outcome === 'accepted' ? [] : r.outcome === 'rejected' ? [r.rejection.code] : [r.outcome]));
    assert.is(accepted.length, 10);
    assert.equal(refusals, Array(40).fill('insufficient_credits'));
    assert.equal(await money(store, owner), { balance: 50, reserved: 50, available: 0 });

    const reservations = await walletEvents(store, owner, 'CreditsReserved');
    assert.is(reservations.length, 10);
    const generations = await store.db.selectFrom('generations').select('generation_id').where('avatar_id', '=', avatarId).execute();
    assert.equal(
      generations.map((g) => g.generation_id).sort(),
      reservations.map((e) => e.data.reservationId as string).sort(),
      'a generation exists exactly where credits were reserved for it',
    );
    for (const event of reservations) {
      const requested = (await readStream(store.db, event.data.reservationId as string))[0]!;
      assert.is(requested.transactionId, event.transactionId, 'the generation and its reservation are one commit');
    }
    const refusedIds = orders.map((o) => o.generationId).filter((g) => !generations.some((row) => row.generation_id === g));
    for (const generationId of refusedIds) assert.is(await version(store, generationId), null);

    // Five fail and five deliver: the failures are refunded, the deliveries paid for.
    const ids = reservations.map((e) => e.data.reservationId as string);
    for (const [i, generationId] of ids.entries()) {
      await dispatch(store, generationId, { type: 'GenerationSubmitted', falRequestId: `req-${generationId}`, endpoint: 'fal-ai/flux-lora' }, { actor: system });
      const end: GenerationEvent =
        i < 5
          ? { type: 'GenerationFailed', reason: 'fal answered 500' }
          : { type: 'GenerationCompleted', images: [{ url: 'https://x/i.jpg', width: 768, height: 1024 }], seed: '1' };
      await dispatch(store, generationId, end, fal(`req-${generationId}`));
    }
    await drainSettlements(store);
    assert.equal(await money(store, owner), { balance: 25, reserved: 0, available: 25 });
    assert.is((await walletEvents(store, owner, 'ReservationReleased')).length, 5);
    assert.is((await walletEvents(store, owner, 'ReservationCaptured')).length, 5);
    assert.equal((await replayStream(store, walletIdOf(owner))).anomalies, []);
  });

  test('a generation whose avatar moves while the wallet is contended is retried, not thrown at the user', async ({ store }) => {
    const owner = await funded(store, 100);
    const avatarId = await completedOf(store, owner);
    // The wallet is hot: the first two (optimistic) statements lose to other writers, and while
    // they do the owner renames the avatar, so the locked retry finds its required version gone.
    let contended = 0;
    class HotWallet extends GroupCommit {
      override async write(write: Parameters<GroupCommit['write']>[0]) {
        if (write.linked && contended < 2) {
          contended += 1;
          if (contended === 1) await dispatch(store, avatarId, { type: 'AvatarRenamed', name: 'renamed meanwhile' }, asUser(owner));
          throw new WrongExpectedVersionError(walletIdOf(owner), 2, 3);
        }
        return super.write(write);
      }
    }
    const hot = { ...store, groupCommit: new HotWallet(store.db, { statements: 1, streamsPerStatement: 32 }) };
    const o = order();
    const result = await requestGeneration(hot, avatarId, o, imagePrice, asUser(owner));
    assert.is(result.outcome, 'accepted', JSON.stringify(result));
    assert.is(contended, 2);
    assert.equal(await money(store, owner), { balance: 100, reserved: 5, available: 95 });
    assert.is((await readStream(store.db, o.generationId)).length, 1);
  });

  // -------------------------------------------------------------------------------------------
  // Settlement: the wallet outbox worker.

  test('a failed training is refunded exactly once, however many workers run', async ({ store }) => {
    await drainSettlements(store);
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    await dispatch(store, id, trainingSubmitted(attemptId), { actor: system });
    await dispatch(store, id, trainingFailed(attemptId, 'fal answered 500', `req-${attemptId}`), fal(`req-${attemptId}`));
    const [effect] = await outboxOf(store, id, 'SettleReservation');
    assert.equal(effect?.payload, {
      kind: 'SettleReservation',
      walletId: walletIdOf(owner),
      reservationId: attemptId,
      settlement: 'release',
      reason: 'the training failed: fal answered 500',
    });
    assert.equal(await money(store, owner), { balance: 500, reserved: 150, available: 350 });

    const reports = await Promise.all([settleReservationsOnce(store), settleReservationsOnce(store), settleReservationsOnce(secondInstance(store))]);
    assert.equal(reports.reduce((sum, r) => sum + r.settled, 0), 1, JSON.stringify(reports));
    assert.equal(reports.reduce((sum, r) => sum + r.failed, 0), 0);
    assert.equal(await settleReservationsOnce(store), { settled: 0, skipped: 0, failed: 0 });
    assert.equal(await money(store, owner), { balance: 500, reserved: 0, available: 500 });
    const released = await walletEvents(store, owner, 'ReservationReleased');
    assert.equal(released.map((e) => e.data), [{ reservationId: attemptId, reason: 'the training failed: fal answered 500' }]);
    assert.is(released[0]!.metadata.causationId, (await readStream(store.db, id)).at(-1)!.eventId, 'caused by the failure');
    assert.is((await outboxOf(store, id, 'SettleReservation'))[0]?.state, 'done');
  });

  test('a completed training is charged, a completed generation too, a failed generation is refunded', async ({ store }) => {
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    await dispatch(store, id, trainingSubmitted(attemptId), { actor: system });
    await dispatch(store, id, trainingProgressed(attemptId, 'IN_PROGRESS'), fal(`req-${attemptId}`));
    await dispatch(store, id, trainingCompleted(attemptId), fal(`req-${attemptId}`));
    await drainSettlements(store);
    assert.equal(await money(store, owner), { balance: 350, reserved: 0, available: 350 });
    assert.equal((await walletEvents(store, owner, 'ReservationCaptured')).map((e) => e.data), [{ reservationId: attemptId }]);

    const failing = order();
    const paid = order();
    for (const o of [failing, paid]) assert.is((await requestGeneration(store, id, o, imagePrice, asUser(owner))).outcome, 'accepted');
    assert.equal(await money(store, owner), { balance: 350, reserved: 10, available: 340 });
    await dispatch(store, failing.generationId, { type: 'GenerationFailed', reason: 'nsfw' }, { actor: system });
    await dispatch(store, paid.generationId, { type: 'GenerationSubmitted', falRequestId: `req-${paid.generationId}`, endpoint: 'fal-ai/flux-lora' }, { actor: system });
    await dispatch(store, paid.generationId, { type: 'GenerationCompleted', images: [{ url: 'https://x/i.jpg', width: 1, height: 1 }], seed: '7' }, { actor: system });
    await drainSettlements(store);
    assert.equal(await money(store, owner), { balance: 345, reserved: 0, available: 345 });
    assert.equal((await walletEvents(store, owner, 'ReservationReleased')).map((e) => e.data.reservationId), [failing.generationId]);
    assert.equal((await walletEvents(store, owner, 'ReservationCaptured')).map((e) => e.data.reservationId), [attemptId, paid.generationId]);
  });

  test('a cancel before fal runs the training is refunded; once it runs it is charged', async ({ store }) => {
    const owner = await funded(store, 1000);
    const queued = await readyOf(store, owner);
    const early = await paidTraining(store, queued);
    await dispatch(store, queued.context.avatarId, trainingSubmitted(early), { actor: system });
    await dispatch(store, queued.context.avatarId, { type: 'TrainingCancelled', attemptId: early, reason: 'user' }, asUser(owner));
    const running = await readyOf(store, owner);
    const late = await paidTraining(store, running);
    await dispatch(store, running.context.avatarId, trainingSubmitted(late), { actor: system });
    await dispatch(store, running.context.avatarId, trainingProgressed(late, 'IN_PROGRESS'), fal(`req-${late}`));
    await dispatch(store, running.context.avatarId, { type: 'AvatarDeleted', reason: 'user' }, asUser(owner));
    await drainSettlements(store);
    assert.equal((await walletEvents(store, owner, 'ReservationReleased')).map((e) => e.data.reservationId), [early]);
    assert.equal((await walletEvents(store, owner, 'ReservationCaptured')).map((e) => e.data.reservationId), [late]);
    assert.equal(await money(store, owner), { balance: 850, reserved: 0, available: 850 });
  });

  test('a settlement for an attempt with no reservation (history from before credits) is skipped, not failed', async ({ store }) => {
    await drainSettlements(store);
    for (const wallet of ['no wallet', 'a wallet without that reservation']) {
      const owner = wallet === 'no wallet' ? newOwner() : await funded(store, 300);
      const ready = await readyOf(store, owner);
      const id = ready.context.avatarId;
      const attemptId = crypto.randomUUID();
      await dispatch(store, id, trainingRequest(ready, attemptId), asUser(owner));
      await dispatch(store, id, trainingFailed(attemptId), fal(`req-${attemptId}`));
      assert.equal(await settleReservationsOnce(store), { settled: 0, skipped: 1, failed: 0 }, wallet);
      assert.is((await outboxOf(store, id, 'SettleReservation'))[0]?.state, 'done', wallet);
      if (wallet !== 'no wallet') assert.equal(await money(store, owner), { balance: 300, reserved: 0, available: 300 });
      else assert.is(await version(store, walletIdOf(owner)), null, 'no wallet is opened for it');
    }
  });

  test('a crash between the failure and the refund: the settlement waits in the outbox and a later worker refunds', async ({ store }) => {
    await drainSettlements(store);
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    // The failure is recorded, and the process dies before any worker ran.
    await dispatch(store, id, trainingFailed(attemptId, 'timeout'), { actor: system });
    const [pending] = await outboxOf(store, id, 'SettleReservation');
    assert.is(pending?.state, 'pending');
    assert.equal(await money(store, owner), { balance: 500, reserved: 150, available: 350 });
    // While it waits, replay sees a reservation on its way to settlement, not stuck money.
    assert.equal((await replayStream(store, walletIdOf(owner))).anomalies, []);
    // The next process's worker finds it.
    const restarted = secondInstance(store);
    assert.equal(await settleReservationsOnce(restarted), { settled: 1, skipped: 0, failed: 0 });
    assert.equal(await money(store, owner), { balance: 500, reserved: 0, available: 500 });
  });

  test('a worker that claimed the settlement and died: the lease runs out and a later worker refunds', async ({ store }) => {
    await drainSettlements(store);
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    await dispatch(store, id, trainingFailed(attemptId, 'timeout'), { actor: system });
    const claimed = await claimEffects(store.db, 'wallet', { limit: 10, leaseMs: 400 });
    assert.equal(claimed.map((c) => c.effect.kind === 'SettleReservation' && c.effect.reservationId), [attemptId]);
    // ...and never completes it. Until the lease ends no other worker takes it.
    assert.equal(await settleReservationsOnce(store), { settled: 0, skipped: 0, failed: 0 });
    assert.equal(await money(store, owner), { balance: 500, reserved: 150, available: 350 });
    assert.equal((await replayStream(store, walletIdOf(owner))).anomalies, [], 'a claimed settlement is still on its way');
    await sleep(600);
    assert.equal(await settleReservationsOnce(store), { settled: 1, skipped: 0, failed: 0 });
    assert.equal(await money(store, owner), { balance: 500, reserved: 0, available: 500 });
  });

  test('a worker that refunded but died before marking the effect done refunds nothing more when it comes round again', async ({ store }) => {
    await drainSettlements(store);
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    await dispatch(store, id, trainingFailed(attemptId, 'timeout'), { actor: system });
    assert.equal(await settleReservationsOnce(store), { settled: 1, skipped: 0, failed: 0 });
    await sql`update outbox set state = 'pending', completed_at = null, available_at = now() where stream_id = ${id} and kind = 'SettleReservation'`.execute(store.db);
    assert.equal(await settleReservationsOnce(store), { settled: 0, skipped: 1, failed: 0 });
    assert.is((await walletEvents(store, owner, 'ReservationReleased')).length, 1);
    assert.equal(await money(store, owner), { balance: 500, reserved: 0, available: 500 });
  });

  // -------------------------------------------------------------------------------------------
  // Stars: top-ups and refunds.

  test('a top-up delivered twice (or five times at once) credits once', async ({ store }) => {
    const owner = await funded(store, 50);
    const payment = { telegramPaymentChargeId: `charge-${owner}`, providerPaymentChargeId: 'provider-1', packageId: 'p200', credits: 200, stars: 100 };
    assert.is((await recordTopUp(store, owner, payment, asUser(owner))).outcome, 'accepted');
    assert.is((await recordTopUp(store, owner, payment, asUser(owner))).outcome, 'duplicate');
    const other = secondInstance(store);
    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => recordTopUp(i % 2 ? other : store, owner, { ...payment, telegramPaymentChargeId: `burst-${owner}` }, asUser(owner))));
    assert.is(burst.filter((r) => r.outcome === 'accepted').length, 1, JSON.stringify(burst.map((r) => r.outcome)));
    assert.is((await walletEvents(store, owner, 'TopUpPaid')).length, 2);
    assert.equal(await money(store, owner), { balance: 450, reserved: 0, available: 450 });
  });

  test('a star refund is refused while the credits are reserved or spent, allowed otherwise, and recorded once', async ({ store }) => {
    const owner = await funded(store, 50);
    const charge = `charge-${owner}`;
    const refund = () => recordStarsRefund(store, owner, charge, asUser(owner));
    const unknown = await refund();
    assert.is(unknown.outcome === 'rejected' && unknown.rejection.code, 'payment_unknown');
    await recordTopUp(store, owner, { telegramPaymentChargeId: charge, providerPaymentChargeId: '', packageId: 'p200', credits: 200, stars: 100 }, asUser(owner));

    const ready = await readyOf(store, owner);
    const attemptId = await paidTraining(store, ready);
    const whileReserved = await refund();
    assert.is(whileReserved.outcome === 'rejected' && whileReserved.rejection.code, 'credits_spent');
    assert.is((await walletEvents(store, owner, 'StarsRefunded')).length, 0);
    // The training fails and is refunded: the top-up's credits are all there again.
    await dispatch(store, ready.context.avatarId, trainingFailed(attemptId), { actor: system });
    await drainSettlements(store);
    assert.is((await refund()).outcome, 'accepted');
    assert.equal(await money(store, owner), { balance: 50, reserved: 0, available: 50 });
    assert.is((await refund()).outcome, 'duplicate');
    assert.is((await walletEvents(store, owner, 'StarsRefunded')).length, 1);
    assert.equal(await money(store, owner), { balance: 50, reserved: 0, available: 50 });

    // Spent: a training paid from a top-up and completed leaves too little to take back.
    const spender = await funded(store, 0);
    const spent = `charge-${spender}`;
    await recordTopUp(store, spender, { telegramPaymentChargeId: spent, providerPaymentChargeId: '', packageId: 'p200', credits: 200, stars: 100 }, asUser(spender));
    const trained = await readyOf(store, spender);
    const paidAttempt = await paidTraining(store, trained);
    await dispatch(store, trained.context.avatarId, trainingSubmitted(paidAttempt), { actor: system });
    await dispatch(store, trained.context.avatarId, trainingCompleted(paidAttempt), fal(`req-${paidAttempt}`));
    await drainSettlements(store);
    const afterSpending = await recordStarsRefund(store, spender, spent, asUser(spender));
    assert.is(afterSpending.outcome === 'rejected' && afterSpending.rejection.code, 'credits_spent');
    assert.equal(await money(store, spender), { balance: 50, reserved: 0, available: 50 });
  });

  // -------------------------------------------------------------------------------------------
  // Replay and rebuild.

  test('replay of a wallet after a whole journey is clean, with balances in its timeline', async ({ store }) => {
    const owner = await funded(store, 50);
    await recordTopUp(store, owner, { telegramPaymentChargeId: `charge-${owner}`, providerPaymentChargeId: '', packageId: 'p200', credits: 200, stars: 100 }, asUser(owner));
    const ready = await readyOf(store, owner);
    const failedAttempt = await paidTraining(store, ready);
    await dispatch(store, ready.context.avatarId, trainingFailed(failedAttempt), { actor: system });
    await drainSettlements(store);
    const retry = (await loadAvatar(store, ready.context.avatarId))!.state!;
    const attemptId = await paidTraining(store, retry);
    await dispatch(store, ready.context.avatarId, trainingSubmitted(attemptId), { actor: system });
    await dispatch(store, ready.context.avatarId, trainingCompleted(attemptId), fal(`req-${attemptId}`));
    await drainSettlements(store);
    const generation = order();
    await requestGeneration(store, ready.context.avatarId, generation, imagePrice, asUser(owner));
    await dispatch(store, generation.generationId, { type: 'GenerationFailed', reason: 'nsfw' }, { actor: system });
    await drainSettlements(store);
    // One generation still in flight: its reservation is open, and that is no anomaly.
    await requestGeneration(store, ready.context.avatarId, order(), imagePrice, asUser(owner));

    const replay = await replayStream(store, walletIdOf(owner));
    assert.equal(replay.anomalies, []);
    assert.equal([replay.kind, replay.finalStatus], ['wallet', 'open']);
    assert.equal(replay.timeline.map((t) => `${t.type}: ${t.after}`), [
      'WalletOpened: balance 0, reserved 0',
      'CreditsGranted: balance 50, reserved 0',
      'TopUpPaid: balance 250, reserved 0',
      'CreditsReserved: balance 250, reserved 150',
      'ReservationReleased: balance 250, reserved 0',
      'CreditsReserved: balance 250, reserved 150',
      'ReservationCaptured: balance 100, reserved 0',
      'CreditsReserved: balance 100, reserved 5',
      'ReservationReleased: balance 100, reserved 0',
      'CreditsReserved: balance 100, reserved 5',
    ]);
    assert.is(replay.openReservations?.length, 1);
    let seen = 0;
    for await (const stream of replayAll(store)) {
      if (stream.streamId !== walletIdOf(owner)) continue;
      seen += 1;
      assert.equal([stream.kind, stream.anomalies], ['wallet', []], 'replayAll agrees');
    }
    assert.is(seen, 1);
  });

  test('an appended history with an open reservation for a training that failed, and no settlement pending, is a wallet_invariant anomaly', async ({ store }) => {
    const owner = await funded(store, 500);
    const ready = await readyOf(store, owner);
    const id = ready.context.avatarId;
    const attemptId = await paidTraining(store, ready);
    // Recorded as a fact, without its effects: nothing will ever release the reservation.
    await append(store, id, [trainingSubmitted(attemptId), trainingFailed(attemptId, 'lost')], { expected: 12, actor: system, sideEffects: false });
    assert.equal(await outboxOf(store, id, 'SettleReservation'), []);
    const replay = await replayStream(store, walletIdOf(owner));
    assert.equal(replay.anomalies.map((a) => a.kind), ['wallet_invariant']);
    assert.match(replay.anomalies[0]!.reason, `reservation ${attemptId} (150 credits) is open`);
    assert.match(replay.anomalies[0]!.reason, 'no settlement is pending');

    const everywhere: string[] = [];
    for await (const stream of replayAll(store)) {
      if (stream.streamId === walletIdOf(owner)) everywhere.push(...stream.anomalies.map((a) => a.kind));
    }
    assert.equal(everywhere, ['wallet_invariant'], 'replayAll reports it too');

    // The same for a generation that ended with its reservation left open.
    const generationOwner = await funded(store, 100);
    const avatarId = await completedOf(store, generationOwner);
    const generation = order();
    assert.is((await requestGeneration(store, avatarId, generation, imagePrice, asUser(generationOwner))).outcome, 'accepted');
    assert.equal((await replayStream(store, walletIdOf(generationOwner))).anomalies, [], 'in flight');
    await append(store, generation.generationId, [{ type: 'GenerationFailed', reason: 'lost' }], { expected: 1, actor: system, sideEffects: false });
    const stuck = (await replayStream(store, walletIdOf(generationOwner))).anomalies;
    assert.equal(stuck.map((a) => a.kind), ['wallet_invariant']);
    assert.match(stuck[0]!.reason, `generation ${generation.generationId} has finished`);
  });

  test('an imported history with an open reservation whose training ended is a wallet_invariant anomaly', async ({ store }) => {
    const owner = newOwner();
    const avatarId = crypto.randomUUID();
    const attemptId = crypto.randomUUID();
    const walletId = walletIdOf(owner);
    const created = avatarCreated({ avatarId, ownerId: owner, chatId: owner });
    const avatarEvents = [created, ...photosAdded(10)];
    const ready = foldPending('avatar', null, avatarEvents.map((event) => ({ event, eventId: '', metadata: {} }))).final;
    const lines = (streamId: string, events: readonly object[]) =>
      events.map((event, i) => {
        const { type, ...data } = event as { type: string };
        const metadata = { actor: { kind: 'system', component: 'legacy' }, machineVersion: 'legacy/0' };
        return JSON.stringify({ streamId, version: i + 1, type, data, metadata, eventId: crypto.randomUUID(), createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString() });
      });
    const log = [
      ...lines(avatarId, [...avatarEvents, trainingRequest(ready!, attemptId), trainingFailed(attemptId, 'lost')]),
      ...lines(walletId, [
        { type: 'WalletOpened', ownerId: owner },
        { type: 'CreditsGranted', grantId: 'welcome', credits: 500, reason: 'welcome' },
        trainingReservation(avatarId, attemptId, trainingPrice),
      ]),
    ].join('\n');
    assert.equal(await importEvents(store, Readable.from([log])), { streams: 2, events: 16 });
    assert.equal(await walletRow(store, owner), { balance: 500, reserved: 150, open_reservations: 1, version: 3 });
    const replay = await replayStream(store, walletId);
    assert.equal(replay.anomalies.map((a) => a.kind), ['wallet_invariant']);
    assert.match(replay.anomalies[0]!.reason, `training attempt ${attemptId} of avatar ${avatarId} is no longer in flight`);
  });

  test('drift in the wallets table is reported as projection_drift, and rebuild restores the row', async ({ store }) => {
    const owner = await funded(store, 500);
    const walletId = walletIdOf(owner);
    const ready = await readyOf(store, owner);
    await paidTraining(store, ready);
    const before = await walletRow(store, owner);
    assert.equal(before, { balance: 500, reserved: 150, open_reservations: 1, version: 3 });
    await sql`update wallets set balance = 9000, reserved = 0, open_reservations = 0 where wallet_id = ${walletId}`.execute(store.db);
    const reasons = (await replayStream(store, walletId)).anomalies.map((a) => `${a.kind}: ${a.reason}`);
    assert.ok(reasons.includes('projection_drift: balance: the read model says 9000, the log says 500'), reasons.join('\n'));
    assert.ok(reasons.includes('projection_drift: reserved: the read model says 0, the log says 150'), reasons.join('\n'));
    assert.ok(reasons.every((r) => r.startsWith('projection_drift')), reasons.join('\n'));

    await rebuildProjections(store);
    assert.equal(await walletRow(store, owner), before);
    assert.equal((await replayStream(store, walletId)).anomalies, []);

    // A wallets row lost altogether comes back too.
    await sql`delete from wallets where wallet_id = ${walletId}`.execute(store.db);
    assert.equal((await replayStream(store, walletId)).anomalies.map((a) => a.reason), ['the read model has no row for this stream']);
    await rebuildProjections(store);
    assert.equal(await walletRow(store, owner), before);
    // And the wallet keeps working on top of the rebuilt row and the dropped cache.
    assert.is((await recordTopUp(store, owner, { telegramPaymentChargeId: `c-${owner}`, providerPaymentChargeId: '', packageId: 'p200', credits: 200, stars: 100 }, asUser(owner))).outcome, 'accepted');
    assert.equal(await money(store, owner), { balance: 700, reserved: 150, available: 550 });
  });
});
