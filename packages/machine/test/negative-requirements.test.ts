/**
 * The earlier product's bug classes (lifecycle-spec.md, "what went wrong there") that the machine
 * owns. Each test shows the bug cannot happen here. The bot and webhook apps test their own share.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  avatarStatuses,
  generationRequest,
  imageSizeFor,
  isAvatarStatus,
  parseDomainEvent,
  statusOf,
  trainingRequest,
  type AvatarStatus,
} from '../src/index.js';
import {
  avatarCreated,
  photosAdded,
  trainingCompleted,
  trainingFailed,
  trainingProgressed,
  trainingSubmitted,
} from '../src/testing/index.js';
import { fold, refusal } from './fold.js';

const test = suite('negative requirements');

const readyAvatar = () => fold([avatarCreated(), ...photosAdded(12)]);
const completedAvatar = () => {
  const ready = readyAvatar();
  return fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1'), trainingCompleted('a1')], ready);
};

test('status strings compared with enums: the status is a closed union, case and spelling included', () => {
  // @ts-expect-error an upper-case status from an old database does not type-check
  const upper: AvatarStatus = 'READY';
  assert.is(isAvatarStatus(upper), false);
  assert.is(isAvatarStatus('Ready'), false);
  assert.is(isAvatarStatus('ready'), true);
  assert.equal(avatarStatuses, ['draft', 'uploading', 'ready', 'training', 'completed', 'failed', 'cancelled', 'deleted']);
});

test('a late or duplicate webhook never turns completed back into training', () => {
  const done = completedAvatar();
  for (const late of [
    trainingProgressed('a1', 'IN_PROGRESS'),
    trainingSubmitted('a1'),
    trainingCompleted('a1'),
    trainingFailed('a1', 'late failure', 'req-a1'),
  ]) {
    const rejection = refusal(done, late);
    assert.is(rejection.status, 'completed');
    assert.is(rejection.code, 'not_accepted_in_status');
  }
});

test('a failed fal job is never stored as completed', () => {
  const ready = readyAvatar();
  const failed = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1'), trainingFailed('a1', 'model error')], ready);
  assert.is(statusOf(failed), 'failed');
  assert.is(refusal(failed, trainingCompleted('a1')).status, 'failed');
  // A completion without a real LoRA URL is not even a well-formed event.
  const fake = parseDomainEvent('TrainingCompleted', { attemptId: 'a1', falRequestId: 'r', loraUrl: 'fake', configUrl: '' });
  assert.is(fake.ok, false);
});

test('a cancelled training is never resurrected by the poller', () => {
  const ready = readyAvatar();
  const cancelled = fold(
    [trainingRequest(ready, 'a1'), trainingSubmitted('a1'), { type: 'TrainingCancelled', attemptId: 'a1', reason: 'user' }],
    ready,
  );
  assert.is(statusOf(cancelled), 'cancelled');
  for (const poll of [trainingProgressed('a1', 'IN_PROGRESS'), trainingCompleted('a1'), trainingFailed('a1')]) {
    assert.is(refusal(cancelled, poll).code, 'not_accepted_in_status');
  }
  assert.is(refusal(cancelled, trainingRequest(cancelled, 'a2')).code, 'not_accepted_in_status');
});

test('a callback for an earlier failed attempt never changes the retried one', () => {
  const ready = readyAvatar();
  const failed = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1'), trainingFailed('a1', 'oom', 'req-a1')], ready);
  const retried = fold([trainingRequest(failed, 'a2'), trainingSubmitted('a2')], failed);
  const late = refusal(retried, trainingCompleted('a1'));
  assert.is(late.code, 'attempt_mismatch');
  assert.match(late.reason, /attempt a1.*a2/);
  assert.is(statusOf(fold([trainingCompleted('a2')], retried)), 'completed');
});

test('a callback naming another fal request for the same attempt changes nothing', () => {
  const ready = readyAvatar();
  const queued = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1', 'req-1')], ready);
  assert.is(refusal(queued, trainingCompleted('a1', 'req-other')).code, 'request_mismatch');
});

test('start training twice (double tap, old button) starts one attempt', () => {
  const ready = readyAvatar();
  const training = fold([trainingRequest(ready, 'a1')], ready);
  const again = refusal(training, trainingRequest(ready, 'a2'));
  assert.is(again.status, 'training');
  assert.is(training.context.attemptIds.length, 1);
});

test('start training needs 10 to 20 photos, whatever the caller believes', () => {
  const uploading = fold([avatarCreated(), ...photosAdded(9)]);
  assert.is(statusOf(uploading), 'uploading');
  assert.is(refusal(uploading, trainingRequest(uploading, 'a1')).code, 'not_accepted_in_status');
});

test('trigger word: every generation uses the phrase the avatar was trained with', () => {
  const done = completedAvatar();
  const trained = done.context.triggerPhrase;
  assert.ok(trained);
  const request = generationRequest(done, { generationId: 'g1', prompt: 'in a forest', aspectRatio: '3:4', numImages: 2 });
  assert.ok(request.ok);
  if (request.ok) {
    assert.is(request.event.triggerPhrase, trained);
    assert.is(request.event.loraUrl, done.context.lora?.loraUrl);
  }
  // A retry cannot train under another phrase.
  const ready = readyAvatar();
  const failed = fold([trainingRequest(ready, 'a1'), trainingFailed('a1')], ready);
  assert.is(refusal(failed, { ...trainingRequest(failed, 'a2'), triggerPhrase: '<TOK>' }).code, 'trigger_phrase_changed');
});

test('aspect ratios map to the fal presets of the spec; 3:4 is portrait, not square', () => {
  assert.equal(imageSizeFor, {
    '1:1': 'square_hd',
    '3:4': 'portrait_4_3',
    '9:16': 'portrait_16_9',
    '4:3': 'landscape_4_3',
    '16:9': 'landscape_16_9',
  });
});

test('images are generated only with a completed avatar', () => {
  const request = generationRequest(readyAvatar(), { generationId: 'g1', prompt: 'x', aspectRatio: '1:1', numImages: 1 });
  assert.is(request.ok, false);
});

test('a deleted avatar accepts nothing', () => {
  const deleted = fold([{ type: 'AvatarDeleted', reason: 'user' }], completedAvatar());
  assert.is(statusOf(deleted), 'deleted');
  for (const event of [
    { type: 'AvatarRenamed', name: 'x' } as const,
    { type: 'AvatarDeleted', reason: 'again' } as const,
    { type: 'MainAvatarChosen' } as const,
    trainingCompleted('a1'),
  ]) {
    assert.is(refusal(deleted, event).status, 'deleted');
  }
});

test.run();
