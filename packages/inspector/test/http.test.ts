import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { trainingRequest, walletIdOf, type Actor, type AvatarEvent, type AvatarState } from '@avatar/machine';
import { avatarCreated, photoAdded, photosAdded, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { dispatch, importEvents, openWallet, recordStarsRefund, recordTopUp, replayStream, requestTraining, type Store } from '@avatar/store';
import { inspector } from '../src/index.js';
import type { AvatarReport, AvatarStateAt, EventRow, InboundRow, SearchResponse, WalletReport } from '../src/index.js';
import { demoAvatar } from './demo.js';
import { bearer, inspectorSuites, token } from './helpers.js';

const owner: Actor = { kind: 'user', userId: 777 };

function json<T>(response: { body: string }): T {
  return JSON.parse(response.body) as T;
}

/** One NDJSON line in the export format, as a legacy log would hold it. */
function exportedLine(streamId: string, version: number, event: AvatarEvent): string {
  const { type, ...data } = event;
  return JSON.stringify({
    streamId,
    version,
    type,
    data,
    metadata: { actor: { kind: 'operator', name: 'legacy-import' }, machineVersion: 'legacy/0' },
    eventId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2025, 5, 1, 12, 0, version)).toISOString(),
  });
}

/** Dispatches events that must be accepted; returns the state after the last one. */
async function dispatchAll(store: Store, avatarId: string, events: AvatarEvent[]): Promise<AvatarState> {
  let state: AvatarState | null = null;
  for (const event of events) {
    const result = await dispatch(store, avatarId, event, { actor: owner });
    if (result.outcome !== 'accepted') throw new Error(`${event.type} was ${result.outcome}`);
    state = result.state;
  }
  if (state === null) throw new Error('no event was dispatched');
  return state;
}

inspectorSuites('inspector HTTP API', (test) => {
  test('the page and every route answer 401 without the token, and never a page', async ({ app }) => {
    for (const url of ['/inspector/', '/inspector', '/inspector/api/avatars', '/inspector/api/avatars/x', '/inspector/api/avatars/x/versions/1', '/inspector/api/avatars/x/events.ndjson', '/inspector/api/wallets/wallet-1', '/inspector/no-such-route']) {
      const response = await app.inject({ url });
      assert.is(response.statusCode, 401, url);
      assert.match(String(response.headers['content-type']), /application\/json/, url);
      assert.not.match(response.body, /<html|<script/i, url);
      assert.is(response.headers['www-authenticate'], 'Bearer realm="inspector"');
    }
  });

  test('a wrong token is refused, in the header or in the page link', async ({ app }) => {
    const wrong = [
      { url: '/inspector/?token=nope' },
      { url: `/inspector/?token=${token}x` },
      { url: '/inspector/api/avatars', headers: { authorization: 'Bearer nope' } },
      { url: '/inspector/api/avatars', headers: { authorization: `Bearer ${token.slice(0, -1)}` } },
      { url: '/inspector/api/avatars', headers: { authorization: `Basic ${token}` } },
      // The query token opens the page only; the API wants the header.
      { url: `/inspector/api/avatars?token=${token}` },
    ];
    for (const request of wrong) {
      const response = await app.inject(request);
      assert.is(response.statusCode, 401, request.url);
    }
  });

  test('the right token opens the page, with a CSP that allows only its own nonce', async ({ app }) => {
    const response = await app.inject({ url: `/inspector/?token=${token}` });
    assert.is(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/html/);
    const csp = String(response.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.ok(response.body.includes(`<script nonce="${nonce}">`), 'the inline script carries the nonce');
    assert.is(response.headers['referrer-policy'], 'no-referrer');
    assert.is(response.headers['cache-control'], 'no-store');
    assert.match(response.body, /<svg[^>]+class="machine"/);

    const second = await app.inject({ url: '/inspector/', headers: bearer });
    assert.is(second.statusCode, 200);
    assert.is.not(/nonce-([^']+)/.exec(String(second.headers['content-security-policy']))?.[1], nonce, 'a fresh nonce per page');
  });

  test('an unknown route under the prefix is a 404 once authenticated', async ({ app }) => {
    const response = await app.inject({ url: '/inspector/api/nothing', headers: bearer });
    assert.is(response.statusCode, 404);
    assert.match(json<{ error: string }>(response).error, /no inspector route/);
  });

  test('finds avatars by name, id prefix and owner id', async ({ store, app }) => {
    const marina = await demoAvatar(store, { name: 'Marina Petrova', ownerId: 515151, chatId: 515151 });
    const other = avatarCreated({ name: 'Oleg', ownerId: 626262, chatId: 626262 });
    await dispatchAll(store, other.avatarId, [other]);

    const search = async (q: string) => {
      const response = await app.inject({ url: `/inspector/api/avatars?q=${encodeURIComponent(q)}`, headers: bearer });
      assert.is(response.statusCode, 200, q);
      return json<SearchResponse>(response).avatars.map((a) => a.avatarId);
    };
    assert.equal(await search('petrova'), [marina.avatarId]);
    assert.equal(await search(marina.avatarId.slice(0, 8)), [marina.avatarId]);
    assert.equal(await search('626262'), [other.avatarId]);
    assert.equal(await search('nobody-has-this-name'), []);
    const all = await search('');
    assert.ok(all.includes(marina.avatarId) && all.includes(other.avatarId));

    const response = await app.inject({ url: `/inspector/api/avatars?q=Oleg`, headers: bearer });
    const [found] = json<SearchResponse>(response).avatars;
    assert.equal(
      { name: found?.name, status: found?.status, ownerId: found?.ownerId, version: found?.version },
      { name: 'Oleg', status: 'draft', ownerId: 626262, version: 1 },
    );
  });

  test('bad search input gets a 400 that says what was wrong', async ({ app }) => {
    const cases: [string, RegExp][] = [
      ['/inspector/api/avatars?limit=0', /limit must be between 1 and 200/],
      ['/inspector/api/avatars?limit=ten', /limit must be a whole number/],
      [`/inspector/api/avatars?q=${'x'.repeat(201)}`, /at most 200 characters/],
    ];
    for (const [url, message] of cases) {
      const response = await app.inject({ url, headers: bearer });
      assert.is(response.statusCode, 400, url);
      assert.match(json<{ error: string }>(response).error, message);
    }
  });

  test('interleaves a refused inbound webhook with the events, with its reason', async ({ store, app }) => {
    const created = avatarCreated({ ownerId: 777, chatId: 777 });
    const id = created.avatarId;
    const ready = await dispatchAll(store, id, [created, ...photosAdded(10)]);
    await dispatchAll(store, id, [trainingRequest(ready, 'attempt-b'), trainingSubmitted('attempt-b', `req-${id}`)]);
    // fal reports on an attempt this avatar is not running: recorded as refused, status unchanged.
    const stale = await dispatch(store, id, trainingProgressed('attempt-a', 'IN_PROGRESS'), {
      actor: { kind: 'fal', requestId: `req-old-${id}` },
      inbox: { source: 'fal', messageId: `req-old-${id}`, payload: '{"status":"IN_PROGRESS","request_id":"<b>old</b>"}' },
    });
    assert.is(stale.outcome, 'rejected');
    await dispatchAll(store, id, [trainingProgressed('attempt-b', 'IN_PROGRESS')]);
    // PGlite's clock ticks in milliseconds: the refusal and v14 often share a timestamp. Make them.
    await store.db
      .updateTable('inbox')
      .set((eb) => ({ received_at: eb.selectFrom('events').select('created_at').where('stream_id', '=', id).where('version', '=', 14) }))
      .where('message_id', '=', `req-old-${id}`)
      .execute();

    const response = await app.inject({ url: `/inspector/api/avatars/${id}`, headers: bearer });
    assert.is(response.statusCode, 200);
    const report = json<AvatarReport>(response);
    assert.is(report.finalStatus, 'training');
    assert.is(report.version, 14);
    const order = report.timeline.map((row) => (row.kind === 'event' ? `v${row.version}` : `inbound:${row.outcome}`));
    assert.equal(order.slice(-3), ['v13', 'inbound:rejected', 'v14']);
    const inbound = report.timeline.find((row): row is InboundRow => row.kind === 'inbound');
    assert.is(inbound?.source, 'fal');
    assert.is(inbound?.messageId, `req-old-${id}`);
    assert.is(inbound?.afterVersion, 13);
    assert.match(inbound?.reason ?? '', /^attempt_mismatch: .*attempt-a/);
    assert.is(inbound?.payload, '{"status":"IN_PROGRESS","request_id":"<b>old</b>"}');

    const first = report.timeline[0] as EventRow;
    assert.equal([first.type, first.before, first.after, first.outcome, first.actor], ['AvatarCreated', null, 'draft', 'applied', 'user 777']);
    const submitted = report.timeline.find((row): row is EventRow => row.kind === 'event' && row.version === 13);
    assert.equal([submitted?.before, submitted?.after], ['training.requested', 'training.queued']);
    assert.is(submitted?.data.falRequestId, `req-${id}`);
  });

  test('an accepted inbound message is not listed twice: its event stands for it', async ({ store, app }) => {
    const demo = await demoAvatar(store);
    const report = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}`, headers: bearer }));
    const inbound = report.timeline.filter((row): row is InboundRow => row.kind === 'inbound');
    assert.is(inbound.length, 1);
    assert.is(inbound[0]?.outcome, 'rejected');
    assert.is(inbound[0]?.afterVersion, demo.versions.completed);
    assert.match(inbound[0]?.reason ?? '', /TrainingCompleted is not accepted in status completed/);
    assert.equal(report.anomalies, []);
    assert.is(report.readModel?.status, 'completed');
  });

  test('an imported event the machine refuses is in the timeline and among the anomalies', async ({ store, app }) => {
    const created = avatarCreated({ ownerId: 888, chatId: 888 });
    const id = created.avatarId;
    const lines = [
      exportedLine(id, 1, created),
      exportedLine(id, 2, photoAdded(1)),
      exportedLine(id, 3, {
        type: 'TrainingCompleted',
        attemptId: 'ghost',
        falRequestId: 'req-ghost',
        loraUrl: 'https://v3.fal.media/files/lora/ghost.safetensors',
        configUrl: 'https://v3.fal.media/files/lora/ghost.json',
      }),
      exportedLine(id, 4, photoAdded(2)),
    ];
    await importEvents(store, Readable.from([lines.join('\n')]));

    const report = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${id}`, headers: bearer }));
    const refused = report.timeline.find((row): row is EventRow => row.kind === 'event' && row.version === 3);
    assert.is(refused?.outcome, 'rejected');
    assert.equal([refused?.before, refused?.after], ['uploading', 'uploading']);
    assert.match(refused?.reason ?? '', /TrainingCompleted is not accepted in status uploading/);
    assert.is(refused?.actor, 'operator legacy-import');
    assert.is(refused?.at, '2025-06-01T12:00:03.000Z');
    assert.equal(
      report.anomalies.map((a) => [a.version, a.kind]),
      [[3, 'rejected']],
    );

    // Time travel past it: the refused event took no transition and changed nothing.
    const state = json<AvatarStateAt>(await app.inject({ url: `/inspector/api/avatars/${id}/versions/4`, headers: bearer }));
    assert.is(state.status, 'uploading');
    assert.is(state.photoCount, 2);
    assert.equal(state.path.steps.map((s) => s.version), [1, 2, 4]);
  });

  test('projection drift shows up as an anomaly, and a status the machine does not know does not break the page', async ({ store, app }) => {
    const demo = await demoAvatar(store);
    await store.db.updateTable('avatars').set({ status: 'TRAINING' }).where('avatar_id', '=', demo.avatarId).execute();
    const response = await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}`, headers: bearer });
    assert.is(response.statusCode, 200);
    const report = json<AvatarReport>(response);
    assert.is(report.readModel, null);
    assert.is(report.finalStatus, 'completed');
    const drift = report.anomalies.filter((a) => a.kind === 'projection_drift');
    assert.ok(drift.some((a) => /status: the read model says "TRAINING", the log says "completed"/.test(a.reason)), JSON.stringify(drift));
  });

  test('unknown ids, other stream kinds and malformed ids get clear errors', async ({ store, app }) => {
    const missing = await app.inject({ url: '/inspector/api/avatars/no-such-avatar', headers: bearer });
    assert.is(missing.statusCode, 404);
    assert.match(json<{ error: string }>(missing).error, /no avatar has the id no-such-avatar/);

    const generationId = crypto.randomUUID();
    const generation = await dispatch(
      store,
      generationId,
      {
        type: 'GenerationRequested',
        generationId,
        avatarId: crypto.randomUUID(),
        ownerId: 1,
        chatId: 1,
        prompt: 'a portrait',
        aspectRatio: '1:1',
        numImages: 1,
        loraUrl: 'https://v3.fal.media/files/lora/x.safetensors',
        triggerPhrase: 'TOK',
      },
      { actor: owner },
    );
    assert.is(generation.outcome, 'accepted');
    const notAvatar = await app.inject({ url: `/inspector/api/avatars/${generationId}`, headers: bearer });
    assert.is(notAvatar.statusCode, 404);
    assert.match(json<{ error: string }>(notAvatar).error, /is a generation stream, not an avatar/);

    const tooLong = await app.inject({ url: `/inspector/api/avatars/${'a'.repeat(129)}`, headers: bearer });
    assert.is(tooLong.statusCode, 400);
    assert.match(json<{ error: string }>(tooLong).error, /at most 128 characters/);
    const control = await app.inject({ url: '/inspector/api/avatars/a%01b/versions/1', headers: bearer });
    assert.is(control.statusCode, 400);
    assert.match(json<{ error: string }>(control).error, /control characters/);
  });

  test('the state at version N is what replay folds to at N, at every version', async ({ store, app }) => {
    const demo = await demoAvatar(store);
    const at = async (version: number) => {
      const response = await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}/versions/${version}`, headers: bearer });
      assert.is(response.statusCode, 200, `version ${version}: ${response.body}`);
      return json<AvatarStateAt>(response);
    };
    for (let version = 1; version <= demo.versions.completed; version++) {
      const replay = await replayStream(store, demo.avatarId, { toVersion: version });
      const state = await at(version);
      assert.is(state.status, replay.finalStatus, `version ${version}`);
      assert.is(state.version, version);
      assert.is(state.latestVersion, demo.versions.completed);
    }

    const created = await at(demo.versions.created);
    assert.equal([created.status, created.photoCount, created.attempt, created.path.visited], ['draft', 0, null, ['avatar.draft']]);
    assert.ok(created.acceptedEvents.includes('PhotoAdded'));
    assert.not.ok(created.acceptedEvents.includes('TrainingRequested'));
    assert.ok(created.available.includes('avatar.draft|PhotoAdded|avatar.uploading'));

    const ready = await at(demo.versions.ready);
    assert.equal([ready.status, ready.photoCount], ['ready', 10]);
    assert.ok(ready.acceptedEvents.includes('TrainingRequested'));

    const failed = await at(demo.versions.firstFailure);
    assert.equal([failed.status, failed.attempt?.number, failed.failure?.reason], ['failed', 1, 'GPU ran out of memory']);
    assert.ok(failed.path.visited.includes('avatar.failed'));
    assert.not.ok(failed.path.visited.includes('avatar.completed'));
    assert.ok(failed.available.includes('avatar.failed|TrainingRequested|avatar.training'));

    const retried = await at(demo.versions.retried);
    assert.equal([retried.status, retried.trainingStage, retried.attempt?.number, retried.attempts], ['training', 'requested', 2, 2]);
    assert.equal(retried.active, ['avatar.training', 'avatar.training.requested']);
    // A completion needs a fal request id first: the child state refuses what its parent accepts.
    assert.not.ok(retried.acceptedEvents.includes('TrainingCompleted'));

    const completed = await at(demo.versions.completed);
    assert.is(completed.status, 'completed');
    assert.is(completed.photoCount, 12);
    assert.match(completed.loraUrl ?? '', /attempt-2\.safetensors$/);
    for (const state of ['avatar.draft', 'avatar.uploading', 'avatar.ready', 'avatar.training.running', 'avatar.failed', 'avatar.completed']) {
      assert.ok(completed.path.visited.includes(state), state);
    }
    assert.not.ok(completed.path.visited.includes('avatar.cancelled'));
    const taken = completed.path.steps.flatMap((s) => s.transitions);
    assert.ok(taken.includes('avatar|(initial)|avatar.draft'));
    assert.ok(taken.includes('avatar.ready|TrainingRequested|avatar.training'));
    assert.ok(taken.includes('avatar.training|(initial)|avatar.training.requested'));
    assert.ok(taken.includes('avatar.failed|TrainingRequested|avatar.training'));
    assert.ok(taken.includes('avatar.training|TrainingCompleted|avatar.completed'));
    assert.ok(taken.includes('avatar.uploading|PhotoAdded'), 'photos that kept the status took the internal transition');
    assert.not.ok(taken.includes('avatar.ready|TrainingCancelled|avatar.cancelled'));
  });

  test("an avatar's TrainingRequested links to the CreditsReserved that paid for it, and its endings to their settlements", async ({ store, app }) => {
    const demo = await demoAvatar(store, { ownerId: 343434, chatId: 343434 }, { price: 30 });
    const report = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}`, headers: bearer }));
    assert.equal([report.ownerId, report.walletId], [343434, walletIdOf(343434)]);
    const event = (version: number) => report.timeline.find((row): row is EventRow => row.kind === 'event' && row.version === version);
    const wallet = (version: number) => ({ streamId: walletIdOf(343434), streamKind: 'wallet', version, type: '' });
    const linkOf = (version: number) => event(version)?.walletLink;
    assert.equal(linkOf(demo.versions.firstRequest), { ...wallet(demo.wallet!.reserved[0]), type: 'CreditsReserved' });
    assert.equal(linkOf(demo.versions.retried), { ...wallet(demo.wallet!.reserved[1]), type: 'CreditsReserved' });
    assert.equal(linkOf(demo.versions.firstFailure), { ...wallet(demo.wallet!.released), type: 'ReservationReleased' });
    assert.equal(linkOf(demo.versions.completed), { ...wallet(demo.wallet!.captured), type: 'ReservationCaptured' });
    assert.is(linkOf(demo.versions.created), null);
    assert.equal(report.anomalies, []);

    const unpaid = await demoAvatar(store, { ownerId: 565656, chatId: 565656 });
    const without = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${unpaid.avatarId}`, headers: bearer }));
    assert.equal([without.ownerId, without.walletId], [565656, null]);
    assert.ok(without.timeline.every((row) => row.kind !== 'event' || row.walletLink === null));
  });

  test("a wallet's report: sums, the balance after each event, open reservations and top-ups, linked to the attempts they pay for", async ({ store, app }) => {
    const ownerId = 454545;
    const walletId = walletIdOf(ownerId);
    const demo = await demoAvatar(store, { ownerId, chatId: ownerId }, { price: 30 });
    const system: Actor = { kind: 'system', component: 'test' };
    const paid = { providerPaymentChargeId: 'p', packageId: 'pack-100', credits: 100, stars: 50 };
    await recordTopUp(store, ownerId, { telegramPaymentChargeId: 'stx-kept', ...paid }, { actor: system });
    await recordTopUp(store, ownerId, { telegramPaymentChargeId: 'stx-refunded', ...paid }, { actor: system });
    assert.is((await recordStarsRefund(store, ownerId, 'stx-refunded', { actor: { kind: 'operator', name: 'ops' } })).outcome, 'accepted');
    // A second avatar of the owner, its training in flight: its credits stay reserved.
    const created = avatarCreated({ ownerId, chatId: ownerId, name: 'Second' });
    const ready = await dispatchAll(store, created.avatarId, [created, ...photosAdded(10)]);
    const inFlight = await requestTraining(store, ready, 'second-attempt', 40, { actor: owner });
    assert.is(inFlight.outcome, 'accepted');

    const response = await app.inject({ url: `/inspector/api/wallets/${walletId}`, headers: bearer });
    assert.is(response.statusCode, 200, response.body);
    const wallet = json<WalletReport>(response);
    // 300 welcome − 30 captured + 100 kept top-up (the refunded one is gone again); 40 reserved.
    assert.equal([wallet.walletId, wallet.ownerId, wallet.balance, wallet.reserved, wallet.available], [walletId, ownerId, 370, 40, 330]);
    assert.equal(wallet.readModel && [wallet.readModel.balance, wallet.readModel.reserved, wallet.readModel.openReservations, wallet.readModel.version], [370, 40, 1, wallet.version]);
    assert.equal(
      wallet.timeline.map((row) => [row.type, row.credits, row.balance, row.reserved, row.available]),
      [
        ['WalletOpened', null, 0, 0, 0],
        ['CreditsGranted', 300, 300, 0, 300],
        ['CreditsReserved', 30, 300, 30, 270],
        ['ReservationReleased', 30, 300, 0, 300],
        ['CreditsReserved', 30, 300, 30, 270],
        ['ReservationCaptured', 30, 270, 0, 270],
        ['TopUpPaid', 100, 370, 0, 370],
        ['TopUpPaid', 100, 470, 0, 470],
        ['StarsRefunded', 100, 370, 0, 370],
        ['CreditsReserved', 40, 370, 40, 330],
      ],
    );
    const [attempt1, attempt2] = demo.attemptIds;
    const linkTo = (avatarId: string, version: number) => ({ streamId: avatarId, streamKind: 'avatar', version, type: 'TrainingRequested' });
    const rowAt = (version: number) => wallet.timeline.find((row) => row.version === version);
    assert.equal(rowAt(demo.wallet!.reserved[0])?.link, linkTo(demo.avatarId, demo.versions.firstRequest));
    assert.equal(rowAt(demo.wallet!.released)?.purpose, { kind: 'training', avatarId: demo.avatarId, attemptId: attempt1 });
    assert.equal(rowAt(demo.wallet!.released)?.link, linkTo(demo.avatarId, demo.versions.firstRequest));
    assert.equal(rowAt(demo.wallet!.captured)?.link, linkTo(demo.avatarId, demo.versions.retried));
    assert.is(rowAt(demo.wallet!.captured)?.reservationId, attempt2);
    assert.is(rowAt(demo.wallet!.released)?.data.reason, 'the training failed: GPU ran out of memory');
    assert.is(wallet.timeline.find((row) => row.type === 'StarsRefunded')?.actor, 'operator ops');
    assert.equal(wallet.reservations, [
      {
        reservationId: 'second-attempt',
        credits: 40,
        purpose: { kind: 'training', avatarId: created.avatarId, attemptId: 'second-attempt' },
        reservedAtVersion: wallet.version,
        link: linkTo(created.avatarId, 12),
      },
    ]);
    assert.equal(
      wallet.topUps.map((t) => [t.telegramPaymentChargeId, t.credits, t.stars, t.refunded]),
      [
        ['stx-kept', 100, 50, false],
        ['stx-refunded', 100, 50, true],
      ],
    );
    assert.equal(wallet.anomalies, []);

    const search = json<SearchResponse>(await app.inject({ url: `/inspector/api/avatars?q=${ownerId}`, headers: bearer }));
    assert.equal(search.wallets, [{ walletId, ownerId, balance: 370, reserved: 40, version: wallet.version }]);
    assert.equal(json<SearchResponse>(await app.inject({ url: `/inspector/api/avatars?q=${walletId}`, headers: bearer })).wallets.length, 1);
    assert.equal(json<SearchResponse>(await app.inject({ url: '/inspector/api/avatars?q=Second', headers: bearer })).wallets, []);
  });

  test("a wallet's anomalies: a reservation left open for an ended attempt (wallet_invariant), and a drifted read model", async ({ store, app }) => {
    const ownerId = 676767;
    const walletId = walletIdOf(ownerId);
    await openWallet(store, ownerId, { welcomeCredits: 100 }, { actor: { kind: 'system', component: 'test' } });
    const created = avatarCreated({ ownerId, chatId: ownerId });
    const ready = await dispatchAll(store, created.avatarId, [created, ...photosAdded(10)]);
    assert.is((await requestTraining(store, ready, 'lost-attempt', 30, { actor: owner })).outcome, 'accepted');
    await dispatchAll(store, created.avatarId, [{ type: 'TrainingCancelled', attemptId: 'lost-attempt', reason: 'the user cancelled' }]);
    const report = async () => json<WalletReport>(await app.inject({ url: `/inspector/api/wallets/${walletId}`, headers: bearer }));
    assert.equal((await report()).anomalies, [], 'the release is on its way in the outbox');

    // The settlement is lost: the credits stay reserved for an attempt that has ended.
    await store.db.deleteFrom('outbox').where('topic', '=', 'wallet').execute();
    const stuck = await report();
    assert.equal(stuck.anomalies.map((a) => a.kind), ['wallet_invariant']);
    assert.match(stuck.anomalies[0]!.reason, /reservation lost-attempt \(30 credits\) is open, but training attempt lost-attempt of avatar .* is no longer in flight/);
    assert.is(stuck.anomalies[0]!.version, stuck.version);

    await store.db.updateTable('wallets').set({ balance: 90 }).where('wallet_id', '=', walletId).execute();
    const drifted = await report();
    assert.ok(drifted.anomalies.some((a) => a.kind === 'projection_drift' && /balance: the read model says 90, the log says 100/.test(a.reason)), JSON.stringify(drifted.anomalies));
    assert.is(drifted.readModel?.balance, 90);
    assert.is(drifted.balance, 100);

    // The avatar's page shows the owner's wallet, and its TrainingRequested links there.
    const avatar = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${created.avatarId}`, headers: bearer }));
    assert.is(avatar.walletId, walletId);
    const requested = avatar.timeline.find((row): row is EventRow => row.kind === 'event' && row.type === 'TrainingRequested');
    assert.equal(requested?.walletLink, { streamId: walletId, streamKind: 'wallet', version: 3, type: 'CreditsReserved' });
  });

  test('unknown wallets, other stream kinds and malformed wallet ids get clear errors', async ({ store, app }) => {
    const missing = await app.inject({ url: '/inspector/api/wallets/wallet-999999999', headers: bearer });
    assert.is(missing.statusCode, 404);
    assert.match(json<{ error: string }>(missing).error, /no wallet has the id wallet-999999999/);
    const demo = await demoAvatar(store);
    const avatar = await app.inject({ url: `/inspector/api/wallets/${demo.avatarId}`, headers: bearer });
    assert.is(avatar.statusCode, 404);
    assert.match(json<{ error: string }>(avatar).error, /is a avatar stream, not a wallet/);
    const tooLong = await app.inject({ url: `/inspector/api/wallets/${'w'.repeat(129)}`, headers: bearer });
    assert.is(tooLong.statusCode, 400);
    assert.match(json<{ error: string }>(tooLong).error, /a wallet id has at most 128 characters/);
    const control = await app.inject({ url: '/inspector/api/wallets/wallet%0A1', headers: bearer });
    assert.is(control.statusCode, 400);
    assert.match(json<{ error: string }>(control).error, /the wallet id contains control characters/);
  });

  test('versions outside the stream and malformed versions are refused', async ({ store, app }) => {
    const demo = await demoAvatar(store);
    const url = (version: string) => `/inspector/api/avatars/${demo.avatarId}/versions/${version}`;
    const beyond = await app.inject({ url: url(String(demo.versions.completed + 1)), headers: bearer });
    assert.is(beyond.statusCode, 404);
    assert.match(json<{ error: string }>(beyond).error, new RegExp(`has versions 1 to ${demo.versions.completed}; there is no version ${demo.versions.completed + 1}`));
    for (const [version, message] of [
      ['0', /between 1 and/],
      ['-1', /whole number written in digits/],
      ['1.5', /whole number written in digits/],
      ['abc', /whole number written in digits/],
    ] as const) {
      const response = await app.inject({ url: url(version), headers: bearer });
      assert.is(response.statusCode, 400, version);
      assert.match(json<{ error: string }>(response).error, message);
    }
  });

  test('streams the avatar as NDJSON, one event a line, ready for import', async ({ store, app }) => {
    const demo = await demoAvatar(store);
    await demoAvatar(store);
    const response = await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}/events.ndjson`, headers: bearer });
    assert.is(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
    assert.is(response.headers['content-disposition'], `attachment; filename="avatar-${demo.avatarId}.ndjson"`);
    const lines = response.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { streamId: string; version: number; type: string });
    assert.is(lines.length, demo.versions.completed);
    assert.ok(lines.every((line) => line.streamId === demo.avatarId));
    assert.equal(lines.map((l) => l.version), Array.from({ length: demo.versions.completed }, (_, i) => i + 1));
    assert.equal([lines[0]?.type, lines.at(-1)?.type], ['AvatarCreated', 'TrainingCompleted']);

    const missing = await app.inject({ url: '/inspector/api/avatars/nobody/events.ndjson', headers: bearer });
    assert.is(missing.statusCode, 404);
  });

  test('an avatar named like an HTML tag comes back as a JSON string, and the page embeds no data', async ({ store, app }) => {
    const name = '<img src=x onerror=alert(1)>';
    const demo = await demoAvatar(store, { name });
    const search = await app.inject({ url: `/inspector/api/avatars?q=${encodeURIComponent('<img')}`, headers: bearer });
    assert.match(String(search.headers['content-type']), /^application\/json/);
    assert.is(search.headers['x-content-type-options'], 'nosniff');
    assert.is(json<SearchResponse>(search).avatars[0]?.name, name);
    const report = json<AvatarReport>(await app.inject({ url: `/inspector/api/avatars/${demo.avatarId}`, headers: bearer }));
    assert.is(report.readModel?.name, name);

    const page = await app.inject({ url: `/inspector/?token=${token}` });
    assert.not.ok(page.body.includes('onerror'), 'the page shell holds no avatar data');
  });

  test("the page's script never parses strings as markup", async ({ app }) => {
    const page = await app.inject({ url: `/inspector/?token=${token}` });
    const script = /<script nonce="[^"]+">([\s\S]*)<\/script>/.exec(page.body)?.[1] ?? '';
    assert.ok(script.length > 1000, 'the script is inlined');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'DOMParser', 'createContextualFragment', 'eval(']) {
      assert.not.ok(script.includes(sink), sink);
    }
  });

  test('a missing or short token stops the app at start-up with a clear error', async ({ store }) => {
    for (const [options, message] of [
      [{ store, token: 'short' }, /token must be at least 16 characters/],
      [{ store, token: 'has spaces in the middle of it' }, /token must not contain whitespace/],
      [{ store }, /token is required/],
      [{ token }, /store must be an open @avatar\/store Store/],
    ] as const) {
      const app = Fastify({ logger: false });
      app.register(inspector, { prefix: '/inspector', ...(options as object) } as never);
      try {
        await app.ready();
        assert.unreachable('the app started');
      } catch (error) {
        assert.instance(error, Error);
        assert.match((error as Error).message, message);
      } finally {
        await app.close();
      }
    }
  });
});
