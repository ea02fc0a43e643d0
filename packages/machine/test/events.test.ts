import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDomainEvent, toStored } from '../src/index.js';
import { photoAdded } from '../src/testing/index.js';

const test = suite('event format');

test('unknown event types are named in the error', () => {
  assert.equal(parseDomainEvent('AvatarExploded', {}), { ok: false, error: 'unknown event type "AvatarExploded"' });
});

test('malformed data says which field is wrong', () => {
  const result = parseDomainEvent('PhotoAdded', { ...toStored(photoAdded(1)).data, sha256: 'xyz', width: -1 });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.match(result.error, /sha256/);
    assert.match(result.error, /width/);
  }
});

test('a stored event parses back to the same event', () => {
  const event = photoAdded(1);
  const { type, data } = toStored(event);
  assert.equal(parseDomainEvent(type, data), { ok: true, event });
});

test('generation seeds stay exact decimal strings above 2^53', () => {
  const seed = '18446744073709551615';
  const result = parseDomainEvent('GenerationCompleted', { images: [{ url: 'https://x/y.jpg', width: 1, height: 1 }], seed });
  assert.ok(result.ok && result.event.type === 'GenerationCompleted' && result.event.seed === seed);
  assert.is(parseDomainEvent('GenerationCompleted', { images: [{ url: 'https://x/y.jpg', width: 1, height: 1 }], seed: 1.8e19 }).ok, false);
});

test('avatar names: user text is kept as typed, control characters are not', () => {
  const ok = parseDomainEvent('AvatarRenamed', { name: '<3 Cyber_Alex*' });
  assert.equal(ok, { ok: true, event: { type: 'AvatarRenamed', name: '<3 Cyber_Alex*' } });
  assert.is(parseDomainEvent('AvatarRenamed', { name: 'a\u0007b' }).ok, false);
  assert.is(parseDomainEvent('AvatarRenamed', { name: 'x'.repeat(65) }).ok, false);
});

test.run();
