import * as assert from 'uvu/assert';
import { Readable, PassThrough } from 'node:stream';
import { trainingRequest } from '@avatar/machine';
import { avatarCreated, photoAdded, trainingCompleted } from '@avatar/machine/testing';
import { dispatch, exportEvents, findAvatar, ImportError, importEvents, loadAvatar, readStream, replayStream, type Store } from '../src/index.js';
import { readyAvatar, storeSuites, user } from './helpers.js';

async function exported(store: Store, streamId?: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEvents(store, out, streamId ? { streamId } : {});
  out.end();
  return Buffer.concat(chunks).toString();
}

function line(streamId: string, version: number, type: string, data: object, extra: object = {}) {
  return JSON.stringify({
    streamId,
    version,
    type,
    data,
    metadata: { actor: { kind: 'user', userId: 1 }, machineVersion: 'legacy/0' },
    eventId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
    ...extra,
  });
}

async function importError(store: Store, text: string): Promise<ImportError> {
  try {
    await importEvents(store, Readable.from([text]));
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('import succeeded');
}

storeSuites('NDJSON export and import', (test) => {
  test('export writes one event per line in the public format, and import restores it exactly', async ({ store }) => {
    const id = await readyAvatar(store);
    const text = await exported(store, id);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.is(lines.length, 11);
    assert.equal(Object.keys(lines[0]).sort(), ['createdAt', 'data', 'eventId', 'metadata', 'streamId', 'type', 'version']);

    // Into another stream id, so both live in one database.
    const copy = crypto.randomUUID();
    const renamed = text.replaceAll(id, copy).replace(/"eventId":"[^"]+"/g, () => `"eventId":"${crypto.randomUUID()}"`);
    assert.equal(await importEvents(store, Readable.from([renamed])), { streams: 1, events: 11 });
    const original = await readStream(store.db, id);
    const imported = await readStream(store.db, copy);
    assert.equal(imported.map((e) => [e.version, e.type, e.createdAt.toISOString()]), original.map((e) => [e.version, e.type, e.createdAt.toISOString()]));
    assert.is((await findAvatar(store.db, copy))?.status, 'ready');
  });

  test('import keeps events the machine refuses, and starts no side effects', async ({ store }) => {
    const id = crypto.randomUUID();
    const created = avatarCreated({ avatarId: id });
    const { type: _t, ...createdData } = created;
    const { type: _c, ...completion } = trainingCompleted('old-attempt');
    const text = [line(id, 1, 'AvatarCreated', createdData), line(id, 2, 'TrainingCompleted', completion)].join('\n');
    await importEvents(store, Readable.from([text]));
    assert.is((await readStream(store.db, id)).length, 2);
    const replay = await replayStream(store, id);
    assert.equal(replay.anomalies.map((a) => [a.version, a.kind]), [[2, 'rejected']]);
    const outbox = await store.db.selectFrom('outbox').select('id').where('stream_id', '=', id).execute();
    assert.is(outbox.length, 0);
  });

  test('a malformed line, an unknown type or a version gap is refused by line, and nothing is written', async ({ store }) => {
    const id = crypto.randomUUID();
    const { type: _t, ...createdData } = avatarCreated({ avatarId: id });
    const good = line(id, 1, 'AvatarCreated', createdData);
    const { type: _p, ...photo } = photoAdded(1);

    const notJson = await importError(store, `${good}\n{oops`);
    assert.is(notJson.line, 2);
    assert.match(notJson.message, /line 2: not JSON/);

    const unknown = await importError(store, `${good}\n${line(id, 2, 'AvatarExploded', {})}`);
    assert.match(unknown.message, /line 2: unknown event type "AvatarExploded"/);

    const gap = await importError(store, `${good}\n${line(id, 3, 'PhotoAdded', photo)}`);
    assert.match(gap.message, /line 2: stream .* goes from version 1 to 3/);

    const badField = await importError(store, `${good}\n${line(id, 2, 'PhotoAdded', { ...photo, sha256: 'nope' })}`);
    assert.match(badField.message, /line 2: invalid PhotoAdded: sha256/);

    assert.is((await readStream(store.db, id)).length, 0);
  });

  test('import continues a stored stream only at its next version', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    const { type: _p, ...photo } = photoAdded(1);
    const wrong = await importError(store, line(id, 1, 'PhotoAdded', photo));
    assert.match(wrong.message, /is at version 1; the file continues it at 1/);
    await importEvents(store, Readable.from([line(id, 2, 'PhotoAdded', photo)]));
    assert.is((await loadAvatar(store, id))?.version, 2);
  });

  test('an event id already in the log is refused', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    const [event] = await readStream(store.db, id);
    const { type: _p, ...photo } = photoAdded(1);
    const error = await importError(store, line(id, 2, 'PhotoAdded', photo, { eventId: event!.eventId }));
    assert.match(error.message, /already in the log/);
    await dispatch(store, id, trainingRequest((await loadAvatar(store, id))!.state!, 'x'), { actor: user });
  });
});
