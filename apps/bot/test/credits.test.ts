import type { FalEmulator } from '@avatar/fal-emulator';
import { walletIdOf } from '@avatar/machine';
import { loadAvatar, readStream, walletSummary, type Store } from '@avatar/store';
import type { ChatMessage, EmulatedUser } from '@avatar/telegram-emulator';
import * as assert from 'uvu/assert';
import { offerPayload } from '../src/payments.js';
import { defaultPricing } from '../src/pricing.js';
import { startFalSide } from './fal-side.js';
import { botSuites, type Harness } from './harness.js';
import { botMessagesWith, createAvatarInChat, eventTypes, hasButton, photos, press, waitForText, waitUntil } from './helpers.js';

let fal: FalEmulator;

const pricing = { ...defaultPricing, trainingCredits: 150, creditsPerImage: 5, welcomeCredits: 50 };

async function walletEvents(store: Store, userId: number): Promise<string[]> {
  return (await readStream(store.db, walletIdOf(userId))).map((e) => e.type);
}

async function available(store: Store, userId: number): Promise<number> {
  return (await walletSummary(store, userId))?.available ?? 0;
}

async function waitForWallet(store: Store, userId: number, what: string, ok: (types: string[]) => boolean): Promise<void> {
  await waitUntil(what, async () => ok(await walletEvents(store, userId)), 60_000);
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length;

/** The user buys a package through the bot's screens and pays the invoice with Stars. */
async function topUp(user: EmulatedUser, label: string, options: { deliverTwice?: boolean } = {}): Promise<void> {
  await user.sendCommand('/topup');
  await waitForText(user, 'Choose a package');
  await press(user, label);
  const invoice = await user.waitForBotMessage((m) => m.kind === 'invoice');
  const paid = await user.pay(invoice, options);
  assert.is(paid.status, 'paid');
  await waitForText(user, 'Payment received');
}

async function readyAvatar(h: Harness, user: EmulatedUser, name: string): Promise<{ avatarId: string; progress: ChatMessage }> {
  const avatarId = await createAvatarInChat(user, name, {}, h.store);
  await user.sendAlbum(photos(10));
  const progress = await user.waitForBotMessage(hasButton('🚀 Start training'));
  return { avatarId, progress };
}

async function submittedRequestId(store: Store, avatarId: string): Promise<string> {
  let requestId: string | null | undefined;
  await waitUntil('the training is submitted to fal', async () => {
    requestId = (await loadAvatar(store, avatarId))?.state?.context.attempt?.falRequestId;
    return typeof requestId === 'string';
  });
  return requestId!;
}

async function finishTraining(store: Store, avatarId: string): Promise<void> {
  const requestId = await submittedRequestId(store, avatarId);
  while ((await fal.advance(requestId)) !== 'COMPLETED');
}

/** The old product's money bugs, each shown impossible through the bot, fal's side and Telegram Stars. */
botSuites(
  'credits',
  (test) => {
    test.before(async ({ h }) => {
      fal = await startFalSide(h, { trainingMs: 600_000 });
    });

    test('/start opens the wallet with the welcome grant once; /balance shows it and the prices', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      await user.sendCommand('/start');
      await waitUntil('two greetings', () => botMessagesWith(user, 'Hi, ').length === 2);
      assert.equal(await walletEvents(h.store, user.id), ['WalletOpened', 'CreditsGranted']);
      await user.sendCommand('/balance');
      const balance = await waitForText(user, 'Balance: 50 credits');
      assert.match(balance.text!, 'Training an avatar costs 150 credits; each image costs 5.');
      assert.match(balance.text!, '+50 gift');
      assert.ok(hasButton('💰 Top up')(balance));
    });

    test('not enough to train: the balance, the price and a [Top up] that works; nothing is appended', async ({ h }) => {
      const user = h.user();
      const { avatarId, progress } = await readyAvatar(h, user, 'Poor');
      await press(user, '🚀 Start training', { messageId: progress.messageId });
      const refusal = await waitForText(user, 'Not enough credits: this needs 150 and you have 50.');
      assert.not.ok((await eventTypes(h.store, avatarId)).includes('TrainingRequested'), 'no training was requested');
      assert.equal(await walletEvents(h.store, user.id), ['WalletOpened', 'CreditsGranted'], 'nothing was reserved');
      assert.is(fal.jobs().length, 0);
      await press(user, '💰 Top up', { messageId: refusal.messageId });
      const packages = await waitForText(user, 'You have 50 credits. Choose a package');
      assert.ok(hasButton('200 credits — ⭐ 100')(packages));
    });

    test('pre-checkout refuses an offer made for someone else or no longer on sale at that price; nothing is charged', async ({ h }) => {
      const user = h.user();
      const other = h.user();
      await user.sendCommand('/start');
      await waitForText(user, 'Hi, ');
      const api = h.bot.bot.api;
      const offers = [
        { payload: offerPayload({ packageId: 'p200', credits: 200, stars: 100, userId: other.id }), stars: 100, says: 'made for someone else' },
        { payload: offerPayload({ packageId: 'p200', credits: 200, stars: 50, userId: user.id }), stars: 50, says: 'no longer on sale' },
        { payload: offerPayload({ packageId: 'gone', credits: 999, stars: 1, userId: user.id }), stars: 1, says: 'no longer on sale' },
        { payload: 'balance_topup', stars: 100, says: 'no longer on sale' },
      ];
      for (const offer of offers) {
        const invoice = await api.sendInvoice(user.id, 'Credits', 'Credits for avatars', offer.payload, 'XTR', [{ label: 'Credits', amount: offer.stars }]);
        const paid = await user.pay(invoice);
        assert.is(paid.status, 'declined', offer.payload);
        assert.match(paid.status === 'declined' ? paid.errorMessage : '', offer.says);
      }
      assert.equal(await walletEvents(h.store, user.id), ['WalletOpened', 'CreditsGranted'], 'nothing was credited');
      assert.is(h.tg.starTransactions().filter((t) => t.userId === user.id).length, 0, 'Telegram charged nothing');
      assert.ok(h.logs.some((l) => l.message === 'pre-checkout refused'));
    });

    test('a duplicated successful_payment credits once; then training reserves the price in one commit', async ({ h }) => {
      const user = h.user();
      const { avatarId, progress } = await readyAvatar(h, user, 'Payer');
      await topUp(user, '200 credits — ⭐ 100', { deliverTwice: true });
      await waitUntil('both deliveries handled', () => h.tg.calls.filter((c) => c.method === 'sendMessage').length > 0);
      assert.is(count(await walletEvents(h.store, user.id), 'TopUpPaid'), 1, 'one top-up for one charge');
      assert.is(botMessagesWith(user, 'Payment received').length, 1, 'one confirmation');
      assert.is(await available(h.store, user.id), 250);
      assert.is(h.tg.starBalance() >= 100, true);

      await press(user, '🚀 Start training', { messageId: progress.messageId });
      await waitForText(user, 'Status: training');
      const wallet = await readStream(h.store.db, walletIdOf(user.id));
      const reserved = wallet.filter((e) => e.type === 'CreditsReserved');
      assert.is(reserved.length, 1);
      const requested = (await readStream(h.store.db, avatarId)).find((e) => e.type === 'TrainingRequested')!;
      assert.is(reserved[0]!.transactionId, requested.transactionId, 'the reservation and the training share one commit');
      assert.is(reserved[0]!.data.reservationId, requested.data.attemptId, 'the reservation is keyed by the attempt');
      const summary = await walletSummary(h.store, user.id);
      assert.equal([summary?.balance, summary?.reserved, summary?.available], [250, 150, 100]);
    });

    test('a double tap and a stale [Start training] on a completed avatar charge once (one reservation, one fal job)', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await topUp(user, '200 credits — ⭐ 100');
      const { avatarId, progress } = await readyAvatar(h, user, 'Twice');
      await user.sendCommand('/avatars');
      const list = await waitForText(user, 'Your avatars:');
      await press(user, 'Twice', { messageId: list.messageId });
      const card = await user.waitForBotMessage((m) => m.messageId === list.messageId && hasButton('🚀 Start training')(m));
      const jobsBefore = fal.jobs().length;
      await Promise.all([
        user.tap('🚀 Start training', { messageId: progress.messageId }),
        user.tap('🚀 Start training', { messageId: progress.messageId }),
      ]);
      await finishTraining(h.store, avatarId);
      await waitForText(user, '🎉 Twice is ready!', 60_000);
      await waitForWallet(h.store, user.id, 'the reservation is captured', (types) => types.includes('ReservationCaptured'));
      const stale = await press(user, '🚀 Start training', { messageId: card.messageId });
      assert.match(stale.text ?? '', /already been started|cannot start/);
      const types = await walletEvents(h.store, user.id);
      assert.is(count(types, 'CreditsReserved'), 1, 'one reservation');
      assert.is(count(types, 'ReservationCaptured'), 1, 'charged once');
      assert.is(fal.jobs().length - jobsBefore, 1, 'one fal job');
      assert.is(await available(h.store, user.id), 250 - 150);
    });

    test('a failed training refunds its credits, and a retry is charged again only once', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await topUp(user, '200 credits — ⭐ 100');
      const { avatarId, progress } = await readyAvatar(h, user, 'Unlucky');
      fal.failJob({ detail: 'Could not find a face in enough images' });
      await press(user, '🚀 Start training', { messageId: progress.messageId });
      await finishTraining(h.store, avatarId);
      await waitForText(user, '😔 Training Unlucky failed:', 60_000);
      await waitForWallet(h.store, user.id, 'the reservation is released', (types) => types.includes('ReservationReleased'));
      assert.is(await available(h.store, user.id), 250, 'the whole price is back');
      const summary = await walletSummary(h.store, user.id);
      assert.is(summary?.reserved, 0);
    });

    test('cancelling before fal runs the training says its credits come back, and they do', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await topUp(user, '200 credits — ⭐ 100');
      const { avatarId, progress } = await readyAvatar(h, user, 'Quitter');
      await press(user, '🚀 Start training', { messageId: progress.messageId });
      await submittedRequestId(h.store, avatarId);
      await press(user, '✖️ Cancel');
      await waitForText(user, 'The training has not started running yet: its credits are returned.');
      await press(user, 'Yes, cancel');
      await waitForWallet(h.store, user.id, 'the reservation is released', (types) => types.includes('ReservationReleased'));
      assert.is(await available(h.store, user.id), 250);
    });

    test('a fal submit refused after the reservation refunds', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await topUp(user, '200 credits — ⭐ 100');
      const { avatarId, progress } = await readyAvatar(h, user, 'Refused');
      fal.failNextCalls('submit', { count: 1, status: 422 });
      await press(user, '🚀 Start training', { messageId: progress.messageId });
      await waitUntil('the attempt fails', async () => (await eventTypes(h.store, avatarId)).includes('TrainingFailed'), 60_000);
      await waitForWallet(h.store, user.id, 'the reservation is released', (types) => types.includes('ReservationReleased'));
      assert.is(await available(h.store, user.id), 250);
    });

    test('a regeneration charges once; a failed generation refunds', async ({ h }) => {
      const user = h.user();
      await user.sendCommand('/start');
      await topUp(user, '200 credits — ⭐ 100');
      const { avatarId, progress } = await readyAvatar(h, user, 'Painter');
      await press(user, '🚀 Start training', { messageId: progress.messageId });
      await finishTraining(h.store, avatarId);
      const ready = await waitForText(user, '🎉 Painter is ready!', 60_000);
      await press(user, '🎨 Generate', { messageId: ready.messageId });
      await waitForText(user, 'Describe the picture of Painter');
      await user.sendText('in a red coat');
      await press(user, '1:1');
      const after = await user.waitForBotMessage(hasButton('🔁 Again'), { timeoutMs: 60_000 });
      await Promise.all([user.tap('🔁 Again', { messageId: after.messageId }), user.tap('🔁 Again', { messageId: after.messageId })]);
      await waitUntil('the second album', () => user.messagesFromBot().filter((m) => m.kind === 'album').length === 2, 60_000);
      await waitForWallet(h.store, user.id, 'two captures', (types) => count(types, 'ReservationCaptured') === 3);
      const types = await walletEvents(h.store, user.id);
      assert.is(count(types, 'CreditsReserved'), 3, 'the training and two generations: a double-tapped [Again] is one');
      assert.is(await available(h.store, user.id), 250 - 150 - 2 * 10);

      fal.failJob({ detail: 'the model is overloaded' });
      await press(user, '✏️ New description', { messageId: after.messageId });
      await waitUntil('the question', () => botMessagesWith(user, 'Describe the picture of Painter').length === 2);
      await user.sendText('on the moon');
      await press(user, '1:1');
      await waitForText(user, 'I could not draw this one', 60_000);
      await waitForWallet(h.store, user.id, 'the failed generation is refunded', (types) => types.includes('ReservationReleased'));
      assert.is(await available(h.store, user.id), 250 - 150 - 2 * 10);
      assert.equal(h.tg.unansweredCallbacks(), []);
    });
  },
  { modes: ['polling', 'webhook'], pricing },
);
