import { readFileSync } from 'node:fs';
import { avatarLifecycle, cancellation, statusOf, trainingRequest, type AvatarState, type RejectionCode } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingFailed, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { localeFile, locales } from '../src/i18n/locales.js';
import { refusalMessage, type PhotoRefusalCode } from '../src/rejections.js';
import type { Screen } from '../src/telegram/screens.js';
import { generalScreens, screensOf, textsIn } from './screens.js';

function messageIds(locale: (typeof locales)[number]): string[] {
  return [...readFileSync(localeFile(locale), 'utf8').matchAll(/^([a-z][\w-]*)\s*=/gm)].map((m) => m[1]!).sort();
}

/** An avatar in every status and training stage, folded by the machine alone. */
function statesByName(): Record<string, AvatarState> {
  const fold = (state: AvatarState, ...events: Parameters<typeof avatarLifecycle.decide>[1][]) =>
    events.reduce((s, e) => {
      const decision = avatarLifecycle.decide(s, e);
      if (!decision.ok) throw new Error(decision.rejection.reason);
      return decision.state;
    }, state);
  const created = avatarLifecycle.decide(null, avatarCreated({ name: 'Ann <3' }));
  if (!created.ok) throw new Error('not created');
  const draft = created.state;
  const ready = fold(draft, ...photosAdded(12));
  const requested = fold(ready, trainingRequest(ready, 'a1'));
  const queued = fold(requested, trainingSubmitted('a1'));
  const running = fold(queued, { ...trainingProgressed('a1', 'IN_PROGRESS'), queuePosition: 3 });
  return {
    draft,
    uploading: fold(draft, ...photosAdded(4)),
    ready,
    full: fold(draft, ...photosAdded(20)),
    requested,
    queued,
    running,
    completed: fold(running, trainingCompleted('a1')),
    failed: fold(running, trainingFailed('a1', 'face not found', 'req-a1')),
    cancelled: fold(ready, cancellation(ready, 'user')),
    deleted: fold(ready, { type: 'AvatarDeleted', reason: 'user' }),
  };
}

const missing = /\{[a-z][\w-]*\}/;

function allText(screen: Screen): string[] {
  return [screen.text.text, ...screen.buttons.flat().map((b) => b.text)];
}

test('i18n keys are identical in ru and en', () => {
  assert.equal(messageIds('ru'), messageIds('en'));
  assert.ok(messageIds('en').length > 100);
});

test('every screen in every status has every text in both languages, with the same buttons', () => {
  const states = statesByName();
  assert.equal(new Set(Object.values(states).map(statusOf)).size, 8, 'all eight statuses');
  const data: Record<string, string[][]> = {};
  for (const locale of locales) {
    const texts = textsIn(locale);
    const screens: [string, Screen][] = [
      ...Object.entries(states).flatMap(([status, state]) => Object.entries(screensOf(texts, state, 'g1')).map(([name, s]) => [`${status}/${name}`, s] as [string, Screen])),
      ...Object.entries(generalScreens(texts, '0f52c333-3f8c-41b8-99f5-13e52d4b22ec', '0f52c333-3f8c-41b8-99f5-13e52d4b22ec')),
    ];
    for (const [name, screen] of screens) {
      for (const text of allText(screen)) assert.not.match(text, missing, `${locale} ${name}: ${text}`);
      const callbackData = screen.buttons.map((row) => row.map((b) => b.callbackData));
      data[name] ??= callbackData;
      assert.equal(callbackData, data[name], `${name}: the same buttons in ${locale}`);
    }
  }
});

test('every rejection code has a message in both languages', () => {
  const codes: PhotoRefusalCode[] = [
    ...([
      'stream_missing', 'stream_exists', 'not_accepted_in_status', 'photo_duplicate', 'photo_limit_reached', 'photo_too_small',
      'photo_too_large', 'photo_unknown', 'not_enough_photos', 'photos_mismatch', 'attempt_reused', 'trigger_phrase_changed',
      'attempt_mismatch', 'request_mismatch', 'fal_status_regressed', 'machine_error',
    ] satisfies RejectionCode[]),
    'not_an_image',
    'unsupported_format',
    'download_failed',
  ];
  for (const locale of locales) {
    for (const code of codes) {
      const message = refusalMessage(textsIn(locale), code, { width: 300, height: 200, bytes: 22 * 1024 * 1024, format: 'gif', status: 'x' }).text;
      assert.not.match(message, missing, `${locale} ${code}`);
      assert.ok(message.length > 5, `${locale} ${code}`);
    }
  }
  assert.is(refusalMessage(textsIn('en'), 'photo_too_small', { width: 300, height: 200 }).text, 'it is 300×200 px; the shortest side must be at least 512 px.');
});

test('Russian plural forms: one, few, many', () => {
  const ru = textsIn('ru');
  assert.is(ru.t('photos-needed', { needed: 1 }), 'Ещё 1 фотография — и можно обучать.');
  assert.is(ru.t('photos-needed', { needed: 3 }), 'Ещё 3 фотографии — и можно обучать.');
  assert.is(ru.t('photos-needed', { needed: 5 }), 'Ещё 5 фотографий — и можно обучать.');
  assert.match(ru.t('photos-ready', { room: 21 }), 'ещё 21 фотографию');
  assert.match(ru.t('photos-ready', { room: 2 }), 'ещё 2 фотографии');
  assert.match(ru.t('photos-ready', { room: 10 }), 'ещё 10 фотографий');
});

test('user text is spliced in after translation: it is never read as Fluent or markup', () => {
  const en = textsIn('en');
  const name = '{ $name } <b>*_`';
  const formatted = en.fmt('renamed', { name });
  assert.is(formatted.text, `Renamed to ${name}.`);
  const withMarker = en.fmt('renamed', { name: '\uE0000\uE001' });
  assert.is(withMarker.text, 'Renamed to \uE0000\uE001.');
});

test.run();
