import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { button, inlineKeyboard } from '../src/actions/keyboard.js';
import { CallbackDataError, actions, decodeAction, encodeAction, maxCallbackDataBytes, type ActionName, type ParamsOf } from '../src/actions/registry.js';
import type { ActionHandlers } from '../src/actions/router.js';

const uuid = '0f52c333-3f8c-41b8-99f5-13e52d4b22ec';

const samples: { [K in ActionName]: ParamsOf<K> } = {
  home: {},
  newAvatar: {},
  resumeCreation: {},
  listAvatars: { page: 3 },
  chooseGender: { draft: uuid, gender: 'male' },
  chooseTrainer: { draft: uuid, trainer: 'fast' },
  openAvatar: { avatar: uuid },
  renameAvatar: { avatar: uuid },
  chooseMain: { avatar: uuid },
  cancelAvatar: { avatar: uuid },
  confirmCancel: { avatar: uuid },
  deleteAvatar: { avatar: uuid },
  confirmDelete: { avatar: uuid },
  addPhotos: { avatar: uuid },
  managePhotos: { avatar: uuid },
  removePhoto: { avatar: uuid, photo: 'ab'.repeat(32) },
  startTraining: { avatar: uuid, attempts: 2 },
  generate: { avatar: uuid },
  chooseAspect: { generation: uuid, aspect: '3:4' },
  generateAgain: { generation: uuid },
  balance: {},
  topUp: {},
  buyPackage: { package: 'p500' },
};

test('every action survives encode → decode, within 64 bytes', () => {
  for (const name of Object.keys(actions) as ActionName[]) {
    const data = encodeAction(name, samples[name] as never);
    assert.ok(Buffer.byteLength(data) <= maxCallbackDataBytes, `${name}: ${data}`);
    const decoded = decodeAction(data);
    const expected = name === 'removePhoto' ? { ...samples.removePhoto, photo: 'ab'.repeat(6) } : samples[name];
    assert.equal(decoded, { name, params: expected }, name);
  }
});

test('a UUID travels as 22 characters, and the longest action still fits', () => {
  assert.is(encodeAction('openAvatar', { avatar: uuid }), 'o:D1LDMz-MQbiZ9RPlLUsi7A');
  assert.ok(Buffer.byteLength(encodeAction('removePhoto', samples.removePhoto)) < 40);
});

test('data that does not fit in 64 bytes is refused when the button is built, not by Telegram', () => {
  assert.throws(() => encodeAction('openAvatar', { avatar: `avatar-${'x'.repeat(60)}` }), (error: unknown) => error instanceof CallbackDataError);
  assert.throws(() => encodeAction('openAvatar', { avatar: 'аватар' }), /cannot travel/);
  assert.throws(() => button('Open', 'openAvatar', { avatar: `avatar-${'x'.repeat(60)}` }), (error: unknown) => error instanceof CallbackDataError);
});

test('data this bot never wrote decodes to nothing', () => {
  for (const data of ['', 'zz', '💰 Top up', 'o', 'o:', 'o:short', `o:${'A'.repeat(22)}:extra`, 'ts:D1LDMz-MQbiZ9RPlLUsi7A', 'ga:D1LDMz-MQbiZ9RPlLUsi7A:z', 'pr:D1LDMz-MQbiZ9RPlLUsi7A:XYZ']) {
    assert.is(decodeAction(data), undefined, JSON.stringify(data));
  }
  // A UUID has exactly one spelling: a non-canonical base64url text is not one.
  assert.is(decodeAction('o:D1LDMz-MQbiZ9RPlLUsi7B'), undefined);
});

test('keyboards are built from registered buttons only; empty rows vanish', () => {
  const markup = inlineKeyboard([[button('Home', 'home', {})], [], [button('Again', 'generateAgain', { generation: uuid })]]);
  assert.equal(markup, {
    inline_keyboard: [[{ text: 'Home', callback_data: 'h' }], [{ text: 'Again', callback_data: 'gr:D1LDMz-MQbiZ9RPlLUsi7A' }]],
  });
  assert.is(inlineKeyboard([[]]), undefined);
});

test('the handler map must cover every action (checked by the type checker)', () => {
  const handler = async () => {};
  const complete = Object.fromEntries(Object.keys(actions).map((name) => [name, handler])) as unknown as ActionHandlers;
  const { openAvatar: _dropped, ...incomplete } = complete;
  // @ts-expect-error a registered action without a handler does not type-check
  const broken: ActionHandlers = incomplete;
  assert.ok(broken);
});

test.run();
