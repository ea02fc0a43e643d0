import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFalEmulator, type FalEmulator } from '../src/index.js';
import { falFetch, postJson } from './helpers.js';

const test = suite('storage API');
let emulator: FalEmulator;

test.before(async () => {
  emulator = await startFalEmulator();
});
test.after(() => emulator.close());

test('initiate gives an upload URL; a PUT without Authorization stores the bytes at the file URL', async () => {
  const initiated = await postJson(emulator, '/rest/storage/upload/initiate?storage_type=fal-cdn-v3', {
    content_type: 'application/zip',
    file_name: 'photos.zip',
  });
  assert.is(initiated.status, 200);
  const { upload_url: uploadUrl, file_url: fileUrl } = (await initiated.json()) as { upload_url: string; file_url: string };
  assert.is((await fetch(fileUrl)).status, 404);

  const bytes = new Uint8Array([80, 75, 5, 6, 0, 1, 2]);
  const put = await fetch(uploadUrl, { method: 'PUT', body: bytes });
  assert.is(put.status, 200);
  const served = await fetch(fileUrl);
  assert.is(served.headers.get('content-type'), 'application/zip');
  assert.equal(new Uint8Array(await served.arrayBuffer()), bytes);
  assert.ok(fileUrl.endsWith('/photos.zip'));

  assert.is((await fetch(uploadUrl, { method: 'PUT', body: bytes })).status, 404, 'an upload URL is used once');
});

test('initiating an upload needs a valid key', async () => {
  const response = await falFetch(
    emulator,
    '/rest/storage/upload/initiate?storage_type=fal-cdn-v3',
    { method: 'POST', body: JSON.stringify({ content_type: 'a/b', file_name: 'x' }) },
    'wrong:key',
  );
  assert.is(response.status, 401);
});

test('the JWKS is served at the well-known path and under /rest', async () => {
  const direct = (await (await fetch(emulator.jwksUrl)).json()) as { keys: { kty: string; crv: string; x: string }[] };
  const underRest = (await (await fetch(`${emulator.url}/rest/.well-known/jwks.json`)).json()) as unknown;
  assert.equal(underRest, direct);
  assert.is(direct.keys.length, 1);
  assert.equal([direct.keys[0]?.kty, direct.keys[0]?.crv], ['OKP', 'Ed25519']);
  assert.match(direct.keys[0]?.x ?? '', /^[A-Za-z0-9_-]{43}$/);
});

test.run();
