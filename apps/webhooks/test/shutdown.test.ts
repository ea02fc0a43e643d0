import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { FalJwksCache } from '@avatar/fal';
import { waitFor } from '@avatar/fal-emulator/testing';
import { testBackends, type TestStore } from '@avatar/store/testing';
import { patience, startApp, startWebhookSigner, type WebhookSigner } from './support.js';

let store: TestStore;
let signer: WebhookSigner;

test.before(async () => {
  store = await testBackends()[0]!.open();
  signer = await startWebhookSigner();
});
test.after(async () => {
  await signer.close();
  await store.close();
});

test('stopping the app lets a webhook in flight finish and then closes its connection at once', async () => {
  // fal's keys arrive only when the test says so, which holds the webhook in flight.
  let releaseKeys = () => {};
  const keysReleased = new Promise<void>((resolve) => (releaseKeys = resolve));
  let keysAsked = false;
  const slowJwks = createServer((_request, response) => {
    keysAsked = true;
    void keysReleased.then(async () => {
      const keys = await (await fetch(signer.jwksUrl)).text();
      response.writeHead(200, { 'content-type': 'application/json' }).end(keys);
    });
  });
  await new Promise<void>((resolve) => slowJwks.listen(0, '127.0.0.1', resolve));
  const { app, url } = await startApp(store, new FalJwksCache({ url: `http://127.0.0.1:${(slowJwks.address() as AddressInfo).port}/jwks.json` }));
  try {
    const body = '{"error": null, "gateway_request_id": "req-x", "payload": null, "request_id": "req-x", "status": "OK"}';
    const inFlight = fetch(`${url}/webhooks/fal`, { method: 'POST', headers: signer.headers('req-x', body), body });
    await waitFor('the webhook to be in flight', () => keysAsked, patience);
    const closed = app.close();
    releaseKeys();

    const response = await inFlight;
    assert.is(response.status, 200);
    assert.is(response.headers.get('connection'), 'close');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still open'), patience))),
    ]);
    clearTimeout(timer);
    assert.is(outcome, 'closed');
  } finally {
    await app.close();
    await new Promise<void>((resolve) => slowJwks.close(() => resolve()));
  }
});

test.run();
