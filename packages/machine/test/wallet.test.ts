import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  avatarEffects,
  availableCredits,
  cancelSettlement,
  cancellation,
  generationEffects,
  generationLifecycle,
  generationReservation,
  reservedCredits,
  trainingRequest,
  trainingReservation,
  trainingStageOf,
  walletIdOf,
  walletLifecycle,
  type AvatarEvent,
  type AvatarState,
  type EffectOf,
  type EventOf,
  type GenerationEvent,
  type GenerationState,
  type WalletEvent,
  type WalletState,
} from '../src/index.js';
import {
  avatarCreated,
  photosAdded,
  trainingCompleted,
  trainingFailed,
  trainingProgressed,
  trainingSubmitted,
} from '../src/testing/index.js';
import { fold } from './fold.js';

const owner = 1001;

/** Folds wallet events that must all be accepted; throws with the rejection otherwise. */
function foldWallet(events: readonly WalletEvent[], from: WalletState | null = null): WalletState {
  let state = from;
  for (const event of events) {
    const decision = walletLifecycle.decide(state, event);
    if (!decision.ok) throw new Error(`${event.type} refused: ${JSON.stringify(decision.rejection)}`);
    state = decision.state;
  }
  if (state === null) throw new Error('no events folded');
  return state;
}

function walletRefusal(state: WalletState | null, event: WalletEvent) {
  const decision = walletLifecycle.decide(state, event);
  if (decision.ok) throw new Error(`${event.type} was accepted, expected a rejection`);
  return decision.rejection;
}

const opened: EventOf<'WalletOpened'> = { type: 'WalletOpened', ownerId: owner };

function granted(credits: number, grantId = `grant-${credits}`): EventOf<'CreditsGranted'> {
  return { type: 'CreditsGranted', grantId, credits, reason: 'promo' };
}

function paid(chargeId: string, credits = 200, stars = 100): EventOf<'TopUpPaid'> {
  return { type: 'TopUpPaid', telegramPaymentChargeId: chargeId, providerPaymentChargeId: '', packageId: 'p200', credits, stars };
}

function reserved(reservationId: string, credits: number): EventOf<'CreditsReserved'> {
  return trainingReservation('avatar-1', reservationId, credits);
}

const captured = (reservationId: string): EventOf<'ReservationCaptured'> => ({ type: 'ReservationCaptured', reservationId });
const released = (reservationId: string): EventOf<'ReservationReleased'> => ({ type: 'ReservationReleased', reservationId, reason: 'failed' });

function starsRefunded(chargeId: string, credits = 200, stars = 100): EventOf<'StarsRefunded'> {
  return { type: 'StarsRefunded', telegramPaymentChargeId: chargeId, credits, stars };
}

const test = suite('wallet decider');

test('a wallet opens once, empty, and nothing is accepted before it is open', () => {
  const wallet = foldWallet([opened]);
  assert.equal(wallet, { ownerId: owner, balance: 0, reservations: {}, settled: [], grants: [], topUps: {} });
  assert.is(walletLifecycle.statusOf(wallet), 'open');
  assert.is(walletRefusal(wallet, opened).code, 'stream_exists');
  const early = walletRefusal(null, granted(50));
  assert.equal([early.status, early.code], [null, 'stream_missing']);
  assert.is(walletIdOf(owner), 'wallet-1001');
});

test('a grant adds credits once: the same grant id twice is refused', () => {
  const wallet = foldWallet([opened, granted(50, 'welcome'), granted(30, 'promo-1')]);
  assert.is(wallet.balance, 80);
  const again = walletRefusal(wallet, granted(50, 'welcome'));
  assert.equal([again.status, again.code], ['open', 'grant_exists']);
  assert.is(walletLifecycle.evolve(wallet, granted(50, 'welcome')), wallet, 'a refused event leaves the state as it was');
});

test('amounts are whole and positive whoever built the event: zero, negative, fractional or unsafe ones are refused', () => {
  const wallet = foldWallet([opened, granted(100), paid('charge-1')]);
  for (const event of [
    granted(0, 'zero'),
    granted(-50, 'negative'),
    granted(2.5, 'fraction'),
    granted(2 ** 53, 'unsafe'),
    paid('charge-2', 100, 0),
    reserved('attempt-1', -10),
    reserved('attempt-1', Number.NaN),
    starsRefunded('charge-1', 200, -100),
  ]) {
    assert.is(walletRefusal(wallet, event).code, 'amount_invalid', JSON.stringify(event));
  }
});

test('a top-up adds its credits once: the same charge id twice is refused, even for another package', () => {
  const wallet = foldWallet([opened, paid('charge-1')]);
  assert.is(wallet.balance, 200);
  assert.equal(wallet.topUps['charge-1'], { packageId: 'p200', credits: 200, stars: 100, refunded: false });
  assert.is(walletRefusal(wallet, paid('charge-1')).code, 'payment_exists');
  assert.is(walletRefusal(wallet, paid('charge-1', 500, 225)).code, 'payment_exists');
  assert.is(foldWallet([paid('charge-2')], wallet).balance, 400);
});

test('a reservation holds credits without spending them; too few available is refused with the numbers', () => {
  const wallet = foldWallet([opened, granted(200), reserved('a1', 150)]);
  assert.equal([wallet.balance, reservedCredits(wallet), availableCredits(wallet)], [200, 150, 50]);
  const short = walletRefusal(wallet, reserved('a2', 60));
  assert.equal(short, {
    status: 'open',
    eventType: 'CreditsReserved',
    code: 'insufficient_credits',
    reason: '60 credits are needed and 50 are available',
  });
  // Exactly what is available is enough.
  assert.is(availableCredits(foldWallet([reserved('a2', 50)], wallet)), 0);
});

test('the same attempt is never charged twice: a reservation id open or settled is refused', () => {
  const wallet = foldWallet([opened, granted(1000), reserved('a1', 150)]);
  assert.is(walletRefusal(wallet, reserved('a1', 150)).code, 'reservation_exists', 'open');
  const capturedOnce = foldWallet([captured('a1')], wallet);
  assert.is(walletRefusal(capturedOnce, reserved('a1', 150)).code, 'reservation_exists', 'captured');
  const releasedOnce = foldWallet([released('a1')], wallet);
  assert.is(walletRefusal(releasedOnce, reserved('a1', 150)).code, 'reservation_exists', 'released');
  // Whatever it pays for: a generation cannot reuse a training attempt's id either.
  assert.is(walletRefusal(releasedOnce, generationReservation('a1', 'avatar-1', 5)).code, 'reservation_exists');
});

test('capture spends the reserved credits, release gives them back; unknown or settled reservations are refused', () => {
  const wallet = foldWallet([opened, granted(300), reserved('a1', 150), reserved('g1', 10)]);
  const afterCapture = foldWallet([captured('a1')], wallet);
  assert.equal([afterCapture.balance, reservedCredits(afterCapture), availableCredits(afterCapture)], [150, 10, 140]);
  assert.equal(afterCapture.settled, ['a1']);
  const afterRelease = foldWallet([released('g1')], afterCapture);
  assert.equal([afterRelease.balance, reservedCredits(afterRelease), availableCredits(afterRelease)], [150, 0, 150]);
  assert.equal(afterRelease.reservations, {});

  for (const settle of [captured, released]) {
    const unknown = walletRefusal(afterRelease, settle('nope'));
    assert.equal([unknown.code, unknown.reason], ['reservation_unknown', 'no reservation nope is open']);
    assert.is(walletRefusal(afterRelease, settle('a1')).code, 'reservation_exists', 'captured before');
    assert.is(walletRefusal(afterRelease, settle('g1')).code, 'reservation_exists', 'released before');
  }
});

test('a star refund takes a top-up back once, and only while its credits are all there', () => {
  const wallet = foldWallet([opened, granted(50), paid('charge-1', 200, 100)]);
  assert.is(walletRefusal(wallet, starsRefunded('charge-0')).code, 'payment_unknown');
  assert.is(walletRefusal(wallet, starsRefunded('charge-1', 200, 90)).code, 'amount_mismatch');
  assert.is(walletRefusal(wallet, starsRefunded('charge-1', 150, 100)).code, 'amount_mismatch');

  const refunded = foldWallet([starsRefunded('charge-1')], wallet);
  assert.is(refunded.balance, 50);
  assert.is(refunded.topUps['charge-1']?.refunded, true);
  assert.is(walletRefusal(refunded, starsRefunded('charge-1')).code, 'payment_refunded');

  // Reserved credits are not the user's to take back: 250 owned, 100 reserved, 150 available.
  const reservedSome = foldWallet([reserved('a1', 100)], wallet);
  const whileReserved = walletRefusal(reservedSome, starsRefunded('charge-1'));
  assert.equal([whileReserved.code, whileReserved.reason], ['credits_spent', "the top-up's 200 credits are no longer there: 150 are available"]);
  // Spent credits neither.
  assert.is(walletRefusal(foldWallet([captured('a1')], reservedSome), starsRefunded('charge-1')).code, 'credits_spent');
  // Released, they are back, and the refund goes through.
  assert.is(foldWallet([released('a1'), starsRefunded('charge-1')], reservedSome).balance, 50);
});

test('ids that name Object.prototype members are ids like any other, never a NaN balance', () => {
  const wallet = foldWallet([opened, granted(100)]);
  for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.is(walletRefusal(wallet, captured(id)).code, 'reservation_unknown', `capture ${id}`);
    assert.is(walletRefusal(wallet, released(id)).code, 'reservation_unknown', `release ${id}`);
    assert.is(walletRefusal(wallet, starsRefunded(id)).code, 'payment_unknown', `refund ${id}`);
    // And as real ids they work: reserved, captured once, paid, refunded once.
    const used = foldWallet([reserved(id, 10), captured(id), paid(id, 20, 10), starsRefunded(id, 20, 10)], wallet);
    assert.equal([used.balance, availableCredits(used)], [90, 90], id);
    assert.is(walletRefusal(used, captured(id)).code, 'reservation_exists');
    assert.is(walletRefusal(used, starsRefunded(id, 20, 10)).code, 'payment_refunded');
  }
});

/** mulberry32: a small seeded PRNG, so a failing sequence can be run again. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('over random sequences of commands the balance is the sum of its events and never below zero', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const amount = () => 1 + Math.floor(random() * 250);
    let state = foldWallet([opened]);
    const ids: string[] = [];
    const charges: { id: string; credits: number; stars: number }[] = [];
    const sums = { grants: 0, topUps: 0, captures: 0, refunds: 0 };
    const history: string[] = [];
    for (let step = 0; step < 60; step++) {
      const choice = random();
      let event: WalletEvent;
      if (choice < 0.15) event = granted(amount(), pick(['welcome', 'promo', `g${step}`]));
      else if (choice < 0.3) {
        const charge = random() < 0.2 && charges.length > 0 ? pick(charges) : { id: `c${step}`, credits: amount(), stars: amount() };
        event = paid(charge.id, charge.credits, charge.stars);
      } else if (choice < 0.6) {
        const id = random() < 0.2 && ids.length > 0 ? pick(ids) : `r${step}`;
        event = reserved(id, amount());
      } else if (choice < 0.75) event = captured(ids.length > 0 ? pick(ids) : 'none');
      else if (choice < 0.9) event = released(ids.length > 0 ? pick(ids) : 'none');
      else {
        const charge = charges.length > 0 ? pick(charges) : { id: 'none', credits: 1, stars: 1 };
        event = starsRefunded(charge.id, charge.credits, charge.stars);
      }
      const decision = walletLifecycle.decide(state, event);
      history.push(`${event.type}${decision.ok ? '' : ` (${decision.rejection.code})`}`);
      if (!decision.ok) continue;
      const before = state;
      state = decision.state;
      switch (event.type) {
        case 'CreditsGranted':
          sums.grants += event.credits;
          break;
        case 'TopUpPaid':
          sums.topUps += event.credits;
          charges.push({ id: event.telegramPaymentChargeId, credits: event.credits, stars: event.stars });
          break;
        case 'CreditsReserved':
          ids.push(event.reservationId);
          break;
        case 'ReservationCaptured':
          sums.captures += before.reservations[event.reservationId]!.credits;
          break;
        case 'StarsRefunded':
          sums.refunds += event.credits;
          break;
        default:
          break;
      }
      const where = `seed ${seed}, step ${step}: ${history.join(', ')}`;
      assert.ok(availableCredits(state) >= 0, `available ${availableCredits(state)} at ${where}`);
      assert.ok(state.balance >= 0, `balance ${state.balance} at ${where}`);
      assert.is(state.balance, sums.grants + sums.topUps - sums.captures - sums.refunds, where);
      assert.is(state.settled.length, new Set(state.settled).size, `a reservation settled twice at ${where}`);
    }
  }
});

test('a wallet survives persist and restore, through JSON, and goes on deciding the same', () => {
  const wallet = foldWallet([opened, granted(500, 'welcome'), paid('charge-1'), reserved('a1', 150), reserved('g1', 10), captured('g1')]);
  const restored = walletLifecycle.restore(JSON.parse(JSON.stringify(walletLifecycle.persist(wallet))));
  assert.equal(restored, wallet);
  assert.equal(walletLifecycle.decide(restored, captured('a1')), walletLifecycle.decide(wallet, captured('a1')));
  assert.is(walletRefusal(restored, reserved('g1', 1)).code, 'reservation_exists');
  assert.is(walletRefusal(restored, paid('charge-1')).code, 'payment_exists');
  assert.is(walletRefusal(restored, granted(1, 'welcome')).code, 'grant_exists');
  assert.is(walletLifecycle.describe(restored), 'balance 690, reserved 150');
});

// ---------------------------------------------------------------------------------------------
// Which ending events settle which reservation, and how.

function settlementsOf(effects: readonly { kind: string }[]) {
  return effects.filter((effect): effect is EffectOf<'SettleReservation'> => effect.kind === 'SettleReservation');
}

function avatarStep(before: AvatarState, event: AvatarEvent) {
  return settlementsOf(avatarEffects(event, before, fold([event], before)));
}

const created = avatarCreated({ ownerId: 4242 });
const readyAvatar = fold([created, ...photosAdded(10)]);
const requested = fold([trainingRequest(readyAvatar, 'a1')], readyAvatar);
const queued = fold([trainingSubmitted('a1')], requested);
const running = fold([trainingProgressed('a1', 'IN_PROGRESS')], queued);

function settlement(settle: 'capture' | 'release', reservationId = 'a1') {
  return { kind: 'SettleReservation', walletId: 'wallet-4242', reservationId, settlement: settle };
}

function withoutReason(effects: EffectOf<'SettleReservation'>[]) {
  return effects.map(({ reason: _reason, ...rest }) => rest);
}

test('the stages the cancel policy is about are the machine\'s', () => {
  assert.equal([trainingStageOf(requested), trainingStageOf(queued), trainingStageOf(running)], ['requested', 'queued', 'running']);
  assert.equal([cancelSettlement(requested), cancelSettlement(queued), cancelSettlement(running)], ['release', 'release', 'capture']);
});

test('a completed training captures its attempt\'s reservation, a failed one releases it, from any stage', () => {
  assert.equal(withoutReason(avatarStep(running, trainingCompleted('a1'))), [settlement('capture')]);
  for (const before of [requested, queued, running]) {
    const effects = avatarStep(before, trainingFailed('a1', 'fal answered 500'));
    assert.equal(withoutReason(effects), [settlement('release')], trainingStageOf(before) ?? '');
    assert.match(effects[0]!.reason, 'fal answered 500');
  }
  // A retry is a new attempt, paid and settled by its own id.
  const failed = fold([trainingFailed('a1')], running);
  const retry = fold([trainingRequest(failed, 'a2'), trainingSubmitted('a2')], failed);
  assert.equal(withoutReason(avatarStep(retry, trainingFailed('a2'))), [settlement('release', 'a2')]);
});

test('a cancel or a delete during training refunds until fal runs it, and charges once it is running', () => {
  for (const [before, settle] of [
    [requested, 'release'],
    [queued, 'release'],
    [running, 'capture'],
  ] as const) {
    const stage = trainingStageOf(before);
    const cancelled = avatarEffects(cancellation(before, 'user'), before, fold([cancellation(before, 'user')], before));
    assert.equal(withoutReason(settlementsOf(cancelled)), [settlement(settle)], `cancel in ${stage}`);
    assert.is(cancelled.some((e) => e.kind === 'CancelFalRequest'), stage !== 'requested', `fal is asked to stop in ${stage}`);
    const deleted = { type: 'AvatarDeleted', reason: 'user' } as const;
    assert.equal(withoutReason(avatarStep(before, deleted)), [settlement(settle)], `delete in ${stage}`);
  }
});

test('nothing outside a training in flight settles anything', () => {
  const completed = fold([trainingCompleted('a1')], running);
  const failed = fold([trainingFailed('a1')], running);
  for (const [name, before, event] of [
    ['request', readyAvatar, trainingRequest(readyAvatar, 'a1')],
    ['submission', requested, trainingSubmitted('a1')],
    ['progress', queued, trainingProgressed('a1', 'IN_PROGRESS')],
    ['abandon before training', readyAvatar, cancellation(readyAvatar, 'user')],
    ['delete after completion', completed, { type: 'AvatarDeleted', reason: 'user' }],
    ['delete after failure', failed, { type: 'AvatarDeleted', reason: 'user' }],
    ['rename during training', running, { type: 'AvatarRenamed', name: 'x' }],
  ] as const) {
    assert.equal(avatarStep(before, event as AvatarEvent), [], name);
  }
});

function generationStep(before: GenerationState | null, event: GenerationEvent) {
  const decision = generationLifecycle.decide(before, event);
  if (!decision.ok) throw new Error(JSON.stringify(decision.rejection));
  return { state: decision.state, settlements: settlementsOf(generationEffects(event, decision.state.context.request)) };
}

test('a generation captures its reservation when the images are made and releases it when it fails', () => {
  const request: EventOf<'GenerationRequested'> = {
    type: 'GenerationRequested',
    generationId: 'g1',
    avatarId: 'avatar-1',
    ownerId: 4242,
    chatId: 4242,
    prompt: 'x',
    aspectRatio: '1:1',
    numImages: 1,
    loraUrl: 'https://x/l',
    triggerPhrase: 't',
  };
  const first = generationStep(null, request);
  assert.equal(first.settlements, []);
  const submitted = generationStep(first.state, { type: 'GenerationSubmitted', falRequestId: 'r', endpoint: 'fal-ai/flux-lora' });
  assert.equal(submitted.settlements, []);
  const completed = generationStep(submitted.state, { type: 'GenerationCompleted', images: [{ url: 'https://x/i.jpg', width: 1, height: 1 }], seed: '1' });
  assert.equal(withoutReason(completed.settlements), [settlement('capture', 'g1')]);
  for (const before of [first.state, submitted.state]) {
    const failed = generationStep(before, { type: 'GenerationFailed', reason: 'nsfw' });
    assert.equal(withoutReason(failed.settlements), [settlement('release', 'g1')]);
  }
  assert.equal(generationReservation('g1', 'avatar-1', 5), {
    type: 'CreditsReserved',
    reservationId: 'g1',
    credits: 5,
    purpose: { kind: 'generation', generationId: 'g1', avatarId: 'avatar-1' },
  });
});

test.run();
