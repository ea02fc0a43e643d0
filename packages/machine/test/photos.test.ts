import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { abilitiesOf, photoLimits, photosStillNeeded, statusOf } from '../src/index.js';
import { avatarCreated, photoAdded, photosAdded } from '../src/testing/index.js';
import { fold, refusal } from './fold.js';

const test = suite('photos');

test('10 photos make an avatar ready, 20 is the most', () => {
  const nine = fold([avatarCreated(), ...photosAdded(9)]);
  assert.is(statusOf(nine), 'uploading');
  assert.is(photosStillNeeded(nine), 1);
  const ten = fold([photoAdded(10)], nine);
  assert.is(statusOf(ten), 'ready');
  const twenty = fold(photosAdded(10, 11), ten);
  assert.is(twenty.context.photos.length, photoLimits.max);
  assert.is(abilitiesOf(twenty).addPhotos, false);
  const rejection = refusal(twenty, photoAdded(21));
  assert.is(rejection.code, 'photo_limit_reached');
  assert.is(rejection.status, 'ready');
});

test('a duplicate by file_unique_id or by content is refused with its reason', () => {
  const state = fold([avatarCreated(), photoAdded(1)]);
  assert.is(refusal(state, photoAdded(2, { fileUniqueId: 'unique-1' })).code, 'photo_duplicate');
  assert.is(refusal(state, photoAdded(3, { sha256: photoAdded(1).sha256 })).code, 'photo_duplicate');
});

test('too small and too large photos are refused', () => {
  const state = fold([avatarCreated()]);
  const small = refusal(state, photoAdded(1, { width: 511, height: 2000 }));
  assert.is(small.code, 'photo_too_small');
  assert.match(small.reason, /511 px/);
  assert.is(refusal(state, photoAdded(1, { bytes: photoLimits.maxBytes + 1 })).code, 'photo_too_large');
});

test('removing photos walks the status back: ready → uploading → draft', () => {
  const ten = fold([avatarCreated(), ...photosAdded(10)]);
  const nine = fold([{ type: 'PhotoRemoved', photoId: 'photo-10' }], ten);
  assert.is(statusOf(nine), 'uploading');
  const none = fold(
    Array.from({ length: 9 }, (_, i) => ({ type: 'PhotoRemoved', photoId: `photo-${i + 1}` }) as const),
    nine,
  );
  assert.is(statusOf(none), 'draft');
  assert.is(refusal(none, { type: 'PhotoRemoved', photoId: 'photo-1' }).code, 'not_accepted_in_status');
  assert.is(refusal(nine, { type: 'PhotoRemoved', photoId: 'photo-10' }).code, 'photo_unknown');
});

test.run();
