import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  abilitiesOf,
  avatarLifecycle,
  avatarStatuses,
  cancellation,
  generationLifecycle,
  statusOf,
  trainingRequest,
  trainingStageOf,
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

const test = suite('decide and evolve');

test('an event for a stream that has not started is a rejection, not a crash', () => {
  const rejection = refusal(null, { type: 'AvatarRenamed', name: 'x' });
  assert.equal(rejection, {
    status: null,
    eventType: 'AvatarRenamed',
    code: 'stream_missing',
    reason: 'AvatarRenamed needs a stream that has started',
  });
});

test('AvatarCreated starts a stream only once', () => {
  const created = avatarCreated();
  const state = fold([created]);
  assert.is(statusOf(state), 'draft');
  assert.is(refusal(state, created).code, 'stream_exists');
});

test('an event with no enabled transition is a typed rejection, never a silent no-op', () => {
  const draft = fold([avatarCreated()]);
  const rejection = refusal(draft, trainingCompleted('a1'));
  assert.equal(rejection, {
    status: 'draft',
    eventType: 'TrainingCompleted',
    code: 'not_accepted_in_status',
    reason: 'TrainingCompleted is not accepted in status draft',
  });
  assert.is(avatarLifecycle.evolve(draft, trainingCompleted('a1')), draft, 'evolve keeps the state on a refusal');
});

test('a generation event is not accepted by an avatar stream', () => {
  const draft = fold([avatarCreated()]);
  const decision = avatarLifecycle.decide(draft, { type: 'GenerationFailed', reason: 'x' } as never);
  assert.is(decision.ok, false);
});

test('training goes requested → queued → running, and fal never goes backwards', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  const requested = fold([trainingRequest(ready, 'a1')], ready);
  assert.is(trainingStageOf(requested), 'requested');
  assert.is(refusal(requested, trainingCompleted('a1')).code, 'not_accepted_in_status');
  const queued = fold([trainingSubmitted('a1'), trainingProgressed('a1', 'IN_QUEUE')], requested);
  assert.is(trainingStageOf(queued), 'queued');
  const running = fold([trainingProgressed('a1', 'IN_PROGRESS')], queued);
  assert.is(trainingStageOf(running), 'running');
  assert.is(refusal(running, trainingProgressed('a1', 'IN_QUEUE')).code, 'fal_status_regressed');
  assert.is(statusOf(fold([trainingCompleted('a1')], running)), 'completed');
});

test('a submission can fail before fal accepted it', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  const failed = fold([trainingRequest(ready, 'a1'), trainingFailed('a1', 'fal answered 422')], ready);
  assert.is(statusOf(failed), 'failed');
  assert.equal(failed.context.failure, { attemptId: 'a1', reason: 'fal answered 422', retryable: true });
  assert.is(abilitiesOf(failed).retry, true);
});

test('cancel: abandons an avatar before training, stops the attempt in flight', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  assert.is(statusOf(fold([cancellation(ready, 'user')], ready)), 'cancelled');
  const training = fold([trainingRequest(ready, 'a1')], ready);
  assert.is(refusal(training, { type: 'TrainingCancelled', attemptId: null, reason: 'x' }).code, 'attempt_mismatch');
  assert.is(statusOf(fold([cancellation(training, 'user')], training)), 'cancelled');
});

test('rename is accepted in every status but deleted, and keeps the training stage', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  const queued = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1')], ready);
  const renamed = fold([{ type: 'AvatarRenamed', name: 'Cyber_Alex*' }], queued);
  assert.is(renamed.context.name, 'Cyber_Alex*');
  assert.is(trainingStageOf(renamed), 'queued');
});

test('the main avatar can only be chosen among completed ones', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  assert.is(refusal(ready, { type: 'MainAvatarChosen' }).code, 'not_accepted_in_status');
  const done = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1'), trainingCompleted('a1')], ready);
  assert.is(abilitiesOf(done).chooseAsMain, true);
  assert.is(statusOf(fold([{ type: 'MainAvatarChosen' }], done)), 'completed');
});

test('abilities follow the machine in every status', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  assert.equal(abilitiesOf(ready), {
    addPhotos: true,
    removePhotos: true,
    startTraining: true,
    cancel: true,
    rename: true,
    remove: true,
    generate: false,
    chooseAsMain: false,
    retry: false,
  });
  const done = fold([trainingRequest(ready, 'a1'), trainingSubmitted('a1'), trainingCompleted('a1')], ready);
  const abilities = abilitiesOf(done);
  assert.is(abilities.generate, true);
  assert.is(abilities.addPhotos, false);
  assert.is(abilities.startTraining, false);
  assert.is(abilities.cancel, false);
  assert.is(avatarStatuses.length, 8);
});

test('the events a state would accept are the machine\'s, by status', () => {
  const ready = fold([avatarCreated(), ...photosAdded(10)]);
  assert.equal(avatarLifecycle.acceptedEventTypes(ready).sort(), [
    'AvatarDeleted',
    'AvatarRenamed',
    'PhotoAdded',
    'PhotoRemoved',
    'TrainingCancelled',
    'TrainingRequested',
  ]);
  const deleted = fold([{ type: 'AvatarDeleted', reason: 'x' }], ready);
  assert.equal(avatarLifecycle.acceptedEventTypes(deleted), []);
  const requested = fold([trainingRequest(ready, 'a1')], ready);
  assert.not.ok(avatarLifecycle.acceptedEventTypes(requested).includes('TrainingCompleted'));
  assert.ok(avatarLifecycle.acceptedEventTypes(requested).includes('TrainingSubmitted'));
});

test('generation: requested → submitted → completed, and nothing after', () => {
  const requested = generationLifecycle.decide(null, {
    type: 'GenerationRequested',
    generationId: 'g1',
    avatarId: 'a',
    ownerId: 1,
    chatId: 1,
    prompt: 'x',
    aspectRatio: '1:1',
    numImages: 1,
    loraUrl: 'https://x/l',
    triggerPhrase: 't',
  });
  assert.ok(requested.ok);
  if (!requested.ok) return;
  const submitted = generationLifecycle.decide(requested.state, { type: 'GenerationSubmitted', falRequestId: 'r', endpoint: 'fal-ai/flux-lora' });
  assert.ok(submitted.ok);
  if (!submitted.ok) return;
  const completed = generationLifecycle.decide(submitted.state, {
    type: 'GenerationCompleted',
    images: [{ url: 'https://x/i.jpg', width: 768, height: 1024 }],
    seed: '18446744073709551615',
  });
  assert.ok(completed.ok);
  if (!completed.ok) return;
  assert.is(generationLifecycle.statusOf(completed.state), 'completed');
  const late = generationLifecycle.decide(completed.state, { type: 'GenerationFailed', reason: 'late' });
  assert.is(late.ok, false);
});

test.run();
