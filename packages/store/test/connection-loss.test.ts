import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { photoAdded } from '@avatar/machine/testing';
import {
  DatabaseUnavailableError,
  dispatch,
  isDatabaseUnreachable,
  readStream,
  replayStream,
  WrongExpectedVersionError,
  type Store,
} from '../src/index.js';
import { openThroughProxy, testBackends, type ProxiedStore, type TestStore } from '../src/testing.js';
import { GroupCommit } from '../src/group-commit.js';
import { createdAvatars, rename, user, writeAsGroup } from './helpers.js';

interface Context {
  /** Migrates the schema and checks what landed, on a connection of its own. */
  direct: TestStore;
  /** The store under test, every connection through the proxy. */
  proxied: ProxiedStore;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.unreachable(`expected a failure, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

async function copiesOf(store: Store, streamId: string, eventId: string): Promise<number> {
  return (await readStream(store.db, streamId)).filter((event) => event.eventId === eventId).length;
}

const unreachable = suite('what counts as the database being unreachable');
unreachable('socket errors, lost connections and a server shutting down do; a refused statement or a bug does not', () => {
  const socketError = (message: string, code: string) => Object.assign(new Error(message), { code });
  // As pg and PGlite report what the server sent: a severity with the SQLSTATE.
  const serverError = (message: string, code: string, severity = 'ERROR') => Object.assign(new Error(message), { code, severity });
  for (const error of [
    socketError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    serverError('terminating connection due to administrator command', '57P01', 'FATAL'),
    serverError('the database system is starting up', '57P03', 'FATAL'),
    serverError('connection failure', '08006', 'FATAL'),
    new DatabaseUnavailableError('postgres 127.0.0.1:5432/test', new Error('ECONNREFUSED')),
  ]) {
    assert.ok(isDatabaseUnreachable(error), error.message);
  }
  for (const error of [serverError('duplicate key value violates unique constraint', '23505'), new TypeError('x is not a function'), 'ECONNRESET', null]) {
    assert.not.ok(isDatabaseUnreachable(error), String(error));
  }
});
unreachable.run();

// What the network does only happens on a network: these run on the Postgres server.
const postgres = testBackends().find((backend) => backend.name === 'postgres');
if (postgres) {
  const test = suite<Context>('connection loss [postgres]', {} as Context);
  test.before.each(async (ctx) => {
    ctx.direct = await postgres.open();
    // One running statement at a time, so writes queued behind it share the next one.
    ctx.proxied = await openThroughProxy(ctx.direct, { groupCommit: { statements: 1 } });
  });
  test.after.each(async ({ direct, proxied }) => {
    await proxied.close();
    await direct.close();
  });

  test('an append whose answer is lost fails its dispatch, and the retry with the same event id appends once', async ({ direct, proxied: { store, proxy } }) => {
    const [id] = (await createdAvatars(store, 1)) as [string];
    const eventId = crypto.randomUUID();
    const lost = proxy.loseAnswerTo('insert into events');
    const failure = await failureOf(dispatch(store, id, photoAdded(1), { actor: user, eventId }));
    await lost;
    // Not a version conflict, which would be retried as if nothing had been written.
    assert.instance(failure, Error);
    assert.not.instance(failure, WrongExpectedVersionError);
    assert.is(await copiesOf(direct, id, eventId), 1, 'the statement ran and committed before its answer was lost');

    const retried = await dispatch(store, id, photoAdded(1), { actor: user, eventId });
    assert.is(retried.outcome, 'duplicate');
    const next = await dispatch(store, id, photoAdded(2), { actor: user });
    assert.is(next.outcome === 'accepted' && next.version, 3);
    assert.is(await copiesOf(direct, id, eventId), 1);
    assert.equal((await replayStream(direct, id)).anomalies, []);
  });

  test('a group statement whose answer is lost fails every write in it; each retry appends once', async ({ direct, proxied: { store, proxy } }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const [first, second, third] = (await createdAvatars(store, 3)) as [string, string, string];
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const writes = [
      await rename(store, group, first, 'first', { eventId: ids[0]! }),
      await rename(store, group, second, 'second', { eventId: ids[1]! }),
      await rename(store, group, third, 'third', { eventId: ids[2]! }),
    ];
    // Only a statement for several streams sends records of a second chain.
    const lost = proxy.loseAnswerTo('"chain":1,');
    const outcomes = await writeAsGroup(writes.map(({ write }) => write));
    await lost;
    for (const outcome of outcomes) {
      assert.is(outcome.status, 'rejected');
      const reason: unknown = outcome.status === 'rejected' && outcome.reason;
      assert.instance(reason, Error);
      assert.not.instance(reason, WrongExpectedVersionError);
    }

    for (const [i, id] of [first, second, third].entries()) {
      const eventId = ids[i]!;
      assert.is(await copiesOf(direct, id, eventId), 1, 'the group committed before its answer was lost');
      const retried = await dispatch(store, id, { type: 'AvatarRenamed', name: 'again' }, { actor: user, eventId });
      assert.is(retried.outcome, 'duplicate');
      assert.is(await copiesOf(direct, id, eventId), 1);
      assert.equal((await replayStream(direct, id)).anomalies, []);
    }
  });

  test('while the database is away dispatch fails with its cause and writes nothing; once it is back, dispatch works again', async ({ direct, proxied: { store, proxy } }) => {
    const [id] = (await createdAvatars(store, 1)) as [string];
    proxy.down();
    const failure = await failureOf(dispatch(store, id, photoAdded(1), { actor: user }));
    assert.instance(failure, Error);
    assert.match((failure as Error).message, /ECONNRESET|terminated|closed|ECONNREFUSED|socket/i);
    assert.is((await readStream(direct.db, id)).length, 1);

    proxy.up();
    const after = await dispatch(store, id, photoAdded(1), { actor: user });
    assert.is(after.outcome === 'accepted' && after.version, 2);
    assert.equal((await replayStream(direct, id)).anomalies, []);
  });

  test.run();
} else {
  const test = suite('connection loss [postgres]');
  test.skip('needs a Postgres server at TEST_DATABASE_URL (an embedded PGlite has no connection to lose)', () => {});
  test.run();
}
