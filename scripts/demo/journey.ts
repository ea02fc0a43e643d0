import type { FalEmulator } from '@avatar/fal-emulator';
import { walletIdOf } from '@avatar/machine';
import { avatarsOf, loadAvatar, readStream, walletSummary, type Store } from '@avatar/store';
import { makeTestImage, type ChatMessage, type EmulatedUser } from '@avatar/telegram-emulator';
import type { Checks } from './checks.js';

export interface DemoWorld {
  store: Store;
  fal: FalEmulator;
  user: EmulatedUser;
  checks: Checks;
  /** A line of narration between the checks. */
  say(line: string): void;
}

const waitMs = 30_000;

function hasText(text: string) {
  return (message: ChatMessage) => message.text?.includes(text) ?? false;
}

/** The id of the newest message in the chat, so a wait can insist on a reply sent after it. */
function lastMessageId(user: EmulatedUser): number {
  return user.transcript().reduce((max, entry) => ('messageId' in entry ? Math.max(max, entry.messageId) : max), 0);
}

function newerThan(id: number, what: (message: ChatMessage) => boolean) {
  return (message: ChatMessage) => message.messageId > id && what(message);
}

function hasButton(label: string) {
  return (message: ChatMessage) => message.buttons.flat().some((button) => button.text === label);
}

async function waitFor(user: EmulatedUser, what: (message: ChatMessage) => boolean, timeoutMs = waitMs): Promise<ChatMessage> {
  return user.waitForBotMessage(what, { timeoutMs });
}

async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = waitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A distinct portrait-sized photo: same size, different content (and hash) per seed. */
const portrait = (seed: number) => makeTestImage({ width: 768, height: 1024, seed });

async function createAvatar(world: DemoWorld, name: string, gender: 'Female' | 'Male', trainer: 'Portrait' | 'Fast'): Promise<string> {
  const { user, store } = world;
  const existing = new Set((await avatarsOf(store.db, user.id)).map((a) => a.avatarId));
  const asked = lastMessageId(user);
  await user.sendCommand('/new');
  await waitFor(user, newerThan(asked, hasText('called?')));
  await user.sendText(name);
  await waitFor(user, newerThan(asked, hasButton(gender)));
  await user.tap(gender);
  await waitFor(user, (m) => m.buttons.flat().some((b) => b.text.startsWith(trainer)));
  await user.tap((b) => b.text.startsWith(trainer));
  await waitFor(user, hasText(`Photos for ${name}`));
  const created = (await avatarsOf(store.db, user.id)).find((a) => !existing.has(a.avatarId));
  if (!created) throw new Error(`no avatar named ${name} was recorded`);
  return created.avatarId;
}

async function eventsOf(store: Store, streamId: string) {
  return readStream(store.db, streamId);
}

/** The journey of lifecycle-spec.md, as one user would walk it, each step checked. */
/** What the scripted user pays and is given, with the default prices (150 a training, 5 an image). */
const welcome = 50;
const bought = { label: '500 credits — ⭐ 225', credits: 500 };
const prices = { training: 150, image: 5 };

async function walletEvents(store: Store, userId: number): Promise<string[]> {
  return (await readStream(store.db, walletIdOf(userId))).map((e) => e.type);
}

async function available(store: Store, userId: number): Promise<number> {
  return (await walletSummary(store, userId))?.available ?? 0;
}

export interface JourneyResult {
  avatars: string[];
  generations: string[];
  wallets: string[];
}

export async function walkJourney(world: DemoWorld): Promise<JourneyResult> {
  const { user, fal, store, checks, say } = world;
  const avatars: string[] = [];
  const generations: string[] = [];
  const wallets = [walletIdOf(user.id)];

  say('Alice starts the bot and creates her first avatar.');
  await checks.step('/start greets Alice', async () => {
    await user.sendCommand('/start');
    await waitFor(user, hasText('Hi, Alice!'));
  });
  await checks.step(`/balance shows the welcome grant of ${welcome} credits and the prices`, async () => {
    await user.sendCommand('/balance');
    await waitFor(user, (m) => hasText(`Balance: ${welcome} credits`)(m) && hasText(`costs ${prices.training} credits`)(m));
  });
  let alex = '';
  const created = await checks.step('an avatar is created from a name (with "<3" in it), a gender and a trainer', async () => {
    alex = await createAvatar(world, 'Alex <3', 'Male', 'Portrait');
    avatars.push(alex);
  });
  if (!created) return { avatars, generations, wallets };

  say('She uploads an album of 10 photos, the same photo again, a tiny one, a PNG as a file, and one more.');
  await checks.step('an album of 10 photos is accepted, counted on one progress message', async () => {
    await user.sendAlbum(Array.from({ length: 10 }, (_, i) => portrait(i + 1)));
    const progress = await waitFor(user, hasText('10/20 photos'));
    return `message ${progress.messageId} edited ${progress.editCount} times`;
  });
  await checks.step('the same photo sent again is refused as a duplicate, with the reason', async () => {
    const first = user.transcript().find((entry) => entry.from === 'user' && entry.kind === 'album');
    const original = first && 'items' in first ? first.items?.[0] : undefined;
    if (!original?.photo) throw new Error('the album is not in the chat');
    await user.sendPhoto(portrait(1), { sameFileAs: { file_unique_id: original.photo.fileUniqueId } });
    await waitFor(user, hasText('this photo is already there'));
  });
  await checks.step('a photo smaller than 512 px is refused with its size', async () => {
    await user.sendPhoto(makeTestImage({ width: 320, height: 400, seed: 99 }));
    await waitFor(user, hasText('it is 320×400 px; the shortest side must be at least 512 px'));
  });
  await checks.step('a PNG sent as a document is accepted (documents are not swallowed)', async () => {
    await user.sendDocument(makeTestImage({ width: 900, height: 1200, seed: 11 }), { fileName: 'me-at-the-sea.png', mimeType: 'image/png' });
    await waitFor(user, hasText('11/20 photos'));
  });
  const ready = await checks.step('a 12th photo: the avatar is ready and [Start training] appears', async () => {
    await user.sendPhoto(portrait(12));
    const progress = await waitFor(user, (m) => hasText('12/20 photos')(m) && hasButton('🚀 Start training')(m));
    const progressMessages = user.messagesFromBot().filter((m) => m.text?.includes('/20 photos'));
    if (progressMessages.length !== 1) throw new Error(`${progressMessages.length} progress messages instead of one`);
    return `one progress message, edited ${progress.editCount} times`;
  });
  if (!ready) return { avatars, generations, wallets };

  say(`Training costs ${prices.training} credits and she has ${welcome}: she buys ${bought.credits} with Telegram Stars.`);
  await checks.step('without enough credits, [Start training] shows the price and the balance, and starts nothing', async () => {
    await user.tap('🚀 Start training');
    await waitFor(user, hasText(`this needs ${prices.training} and you have ${welcome}`));
    if ((await eventsOf(store, alex)).some((e) => e.type === 'TrainingRequested')) throw new Error('a training was requested');
  });
  await checks.step(`[Top up] → a package → Telegram's invoice, paid in Stars: +${bought.credits} credits, once`, async () => {
    await user.tap('💰 Top up');
    await waitFor(user, hasButton(bought.label));
    await user.tap(bought.label);
    const invoice = await waitFor(user, (m) => m.kind === 'invoice');
    // Telegram may deliver a successful payment twice; it is credited once.
    const paid = await user.pay(invoice, { deliverTwice: true });
    if (paid.status !== 'paid') throw new Error(`the payment was ${paid.status}`);
    await waitFor(user, hasText(`Payment received: +${bought.credits} credits`));
    const topUps = (await walletEvents(store, user.id)).filter((t) => t === 'TopUpPaid').length;
    if (topUps !== 1) throw new Error(`${topUps} top-ups for one payment`);
    return `charge ${paid.telegramPaymentChargeId}, ${await available(store, user.id)} credits`;
  });

  say('She starts training. fal finishes it, but its webhook is lost on the way.');
  fal.dropNextWebhook();
  await checks.step('a double tap on [Start training] starts exactly one fal job', async () => {
    const answers = await Promise.all([user.tap('🚀 Start training'), user.tap('🚀 Start training')]);
    if (!answers.some((a) => a.text === 'Training started')) throw new Error(`answers: ${answers.map((a) => a.text).join(' / ')}`);
    await waitUntil('the training is submitted to fal', async () => (await loadAvatar(store, alex))?.state?.context.attempt?.falRequestId != null);
    const jobs = fal.jobs().filter((job) => job.endpoint.includes('trainer'));
    if (jobs.length !== 1) throw new Error(`${jobs.length} training jobs at fal`);
    const reservations = (await walletEvents(store, user.id)).filter((t) => t === 'CreditsReserved').length;
    if (reservations !== 1) throw new Error(`${reservations} reservations`);
    return `fal request ${jobs[0]!.requestId}, ${prices.training} credits reserved once`;
  });
  await checks.step('the lost webhook is made up for by reconciliation: Alice is told her avatar is ready', async () => {
    await waitFor(user, hasText('🎉 Alex <3 is ready!'), 60_000);
    const completion = (await eventsOf(store, alex)).find((e) => e.type === 'TrainingCompleted');
    const actor = completion?.metadata.actor as { kind?: string; component?: string } | undefined;
    if (actor?.component !== 'fal-reconciler') throw new Error(`completed by ${JSON.stringify(actor)}, not the reconciler`);
    return 'TrainingCompleted recorded by the fal reconciler';
  });

  say('She generates a 3:4 picture with her avatar.');
  await checks.step('a generation in 3:4 uses portrait_4_3 and the trigger phrase the avatar was trained with', async () => {
    await user.tap('🎨 Generate');
    await waitFor(user, hasText('Describe the picture of Alex <3'));
    await user.sendText('in a leather jacket on a neon street at night');
    await waitFor(user, hasButton('3:4'));
    await user.tap('3:4');
    const album = await waitFor(user, (m) => m.kind === 'album', 60_000);
    const job = fal.jobs().find((j) => j.endpoint === 'fal-ai/flux-lora');
    const input = (job?.input ?? {}) as { image_size?: string; prompt?: string };
    const state = (await loadAvatar(store, alex))?.state;
    if (input.image_size !== 'portrait_4_3') throw new Error(`image_size was ${input.image_size}`);
    if (!state?.context.triggerPhrase || !input.prompt?.startsWith(`${state.context.triggerPhrase}, `)) {
      throw new Error(`prompt "${input.prompt}" does not start with the trigger phrase "${state?.context.triggerPhrase}"`);
    }
    await waitFor(user, hasButton('🔁 Again'));
    const generation = await store.db.selectFrom('generations').select('generation_id').where('avatar_id', '=', alex).executeTakeFirst();
    if (generation) generations.push(generation.generation_id);
    return `${album.items?.length ?? 0} images of ${album.items?.[0]?.photo?.width}×${album.items?.[0]?.photo?.height}, then [Again]`;
  });

  say('She creates a second avatar; its first training fails, and she retries.');
  let cyber = '';
  await checks.step('a second avatar "Cyber_Alex*" gets 10 photos as one album', async () => {
    cyber = await createAvatar(world, 'Cyber_Alex*', 'Female', 'Fast');
    avatars.push(cyber);
    await user.sendAlbum(Array.from({ length: 10 }, (_, i) => portrait(100 + i)));
    await waitFor(user, (m) => hasText('10/20 photos')(m) && hasButton('🚀 Start training')(m));
  });
  fal.failJob({ detail: 'Could not find a face in enough images' });
  let beforeFailure = 0;
  await checks.step('a model error is told with its reason, with [Retry training] and [Change photos]', async () => {
    beforeFailure = await available(store, user.id);
    await user.tap('🚀 Start training');
    const failed = await waitFor(user, hasText('😔 Training Cyber_Alex* failed'), 60_000);
    if (!failed.text?.includes('Could not find a face')) throw new Error(`reason missing: ${failed.text}`);
    if (!hasButton('📸 Change photos')(failed) || !hasButton('🔁 Retry training')(failed)) throw new Error('buttons missing');
  });
  await checks.step(`the failed training's ${prices.training} credits are refunded`, async () => {
    await waitUntil('the reservation is released', async () => (await walletEvents(store, user.id)).includes('ReservationReleased'));
    const now = await available(store, user.id);
    if (now !== beforeFailure) throw new Error(`${now} credits after the refund, ${beforeFailure} before the attempt`);
    return `${now} credits available again`;
  });
  await checks.step('the retry trains the same photos again and completes', async () => {
    await user.tap('🔁 Retry training');
    await waitFor(user, hasText('🎉 Cyber_Alex* is ready!'), 60_000);
    const attempts = (await eventsOf(store, cyber)).filter((e) => e.type === 'TrainingRequested').length;
    if (attempts !== 2) throw new Error(`${attempts} attempts`);
    return 'two attempts, the second completed';
  });
  await checks.step('/avatars lists both avatars as ready', async () => {
    const asked = lastMessageId(user);
    await user.sendCommand('/avatars');
    const list = await waitFor(user, newerThan(asked, hasText('Your avatars:')));
    for (const name of ['Alex <3', 'Cyber_Alex*']) if (!list.text?.includes(`${name}`)) throw new Error(`${name} missing`);
  });
  const expected = welcome + bought.credits - 2 * prices.training - 2 * prices.image;
  await checks.step(`the final balance is ${welcome} + ${bought.credits} − 2 trainings − 1 generation of 2 images = ${expected}`, async () => {
    await waitUntil('every job is settled', async () => (await walletSummary(store, user.id))?.reserved === 0);
    const asked = lastMessageId(user);
    await user.sendCommand('/balance');
    await waitFor(user, newerThan(asked, hasText(`Balance: ${expected} credits`)));
    const summary = await walletSummary(store, user.id);
    if (summary?.balance !== expected || summary.available !== expected) throw new Error(`the wallet says ${JSON.stringify(summary)}`);
    return `${expected} credits`;
  });
  return { avatars, generations, wallets };
}
