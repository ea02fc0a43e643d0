import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { avatarCreated, photosAdded } from '@avatar/machine/testing';
import { dispatch, openWallet, requestTraining } from '@avatar/store';
import { testBackends, type TestStore } from '@avatar/store/testing';
import { demoAvatar, type DemoAvatar } from './demo.js';
import { inspectorApp, token } from './helpers.js';

const artifacts = fileURLToPath(new URL('../../../.artifacts/', import.meta.url));
const hostileName = '<img src=x onerror="window.__pwned=1">';

interface BrowserContext {
  store: TestStore;
  app: FastifyInstance;
  browser: Browser;
  page: Page;
  url: string;
  demo: DemoAvatar;
  /** What the browser refused or failed on (CSP violations, script errors). */
  problems: string[];
}

const test = suite<BrowserContext>('inspector page in Chromium', {} as BrowserContext);

// uvu reports a failing hook only as failed tests, without the error: print it.
test.before(async (ctx) => {
  try {
    await setUp(ctx);
  } catch (error) {
    console.error('inspector browser test set-up failed (is Debian chromium installed at /usr/bin/chromium?):', error);
    throw error;
  }
});

async function setUp(ctx: BrowserContext) {
  ctx.problems = [];
  ctx.store = await testBackends()[0]!.open();
  ctx.demo = await demoAvatar(ctx.store, {}, { price: 30 });
  await demoAvatar(ctx.store, { name: hostileName, ownerId: 9999, chatId: 9999 });
  await stuckReservation(ctx.store, 7777);
  ctx.app = await inspectorApp(ctx.store);
  ctx.url = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  ctx.browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1440, height: 1100 }, acceptDownloads: true });
  ctx.page.on('console', (message) => {
    if (message.type() === 'error') ctx.problems.push(message.text());
  });
  ctx.page.on('pageerror', (error) => ctx.problems.push(error.message));
}

/** A wallet whose reservation stays open after its attempt was cancelled: the settlement is lost. */
async function stuckReservation(store: TestStore, ownerId: number) {
  const actor = { kind: 'user', userId: ownerId } as const;
  await openWallet(store, ownerId, { welcomeCredits: 100 }, { actor: { kind: 'system', component: 'test' } });
  const created = avatarCreated({ ownerId, chatId: ownerId, name: 'Stuck' });
  let state = null;
  for (const event of [created, ...photosAdded(10)]) {
    const result = await dispatch(store, created.avatarId, event, { actor });
    if (result.outcome !== 'accepted') throw new Error(`${event.type} was ${result.outcome}`);
    state = result.state;
  }
  if ((await requestTraining(store, state!, 'stuck-attempt', 30, { actor })).outcome !== 'accepted') throw new Error('the training was refused');
  const cancelled = await dispatch(store, created.avatarId, { type: 'TrainingCancelled', attemptId: 'stuck-attempt', reason: 'cancelled' }, { actor });
  if (cancelled.outcome !== 'accepted') throw new Error(`the cancel was ${cancelled.outcome}`);
  await store.db.deleteFrom('outbox').where('topic', '=', 'wallet').execute();
}

test.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.app?.close();
  await ctx.store?.close();
});

test('without the token the browser gets a 401, not the page', async ({ page, url, problems }) => {
  const response = await page.goto(`${url}/inspector/`);
  assert.is(response?.status(), 401);
  assert.is(await page.locator('#search').count(), 0);
  // Chromium logs the refused load itself; only what follows must be clean.
  problems.splice(0);
});

test('search, open the avatar, read its timeline and its path through the machine', async ({ page, url, demo }) => {
  await page.goto(`${url}/inspector/?token=${token}`);
  await page.locator('#search').fill('Marina');
  await page.locator('#results[data-query="Marina"]').waitFor();
  const result = page.locator(`button.result[data-avatar-id="${demo.avatarId}"]`);
  await result.waitFor();
  assert.is(await page.locator('button.result').count(), 1, 'only the matching avatar is listed');
  await result.click();

  await page.locator('#state-card .status', { hasText: 'completed' }).waitFor();
  assert.is(await page.locator('#avatar-name').textContent(), 'Marina');
  assert.is(await page.locator('li.row.event').count(), demo.versions.completed);
  assert.match((await page.locator('li.row.event').first().textContent()) ?? '', /AvatarCreated/);
  const failure = page.locator(`li.row.event[data-version="${demo.versions.firstFailure}"]`);
  assert.match((await failure.textContent()) ?? '', /TrainingFailed.*training\.running → failed/);
  const inbound = page.locator('li.row.inbound');
  assert.is(await inbound.count(), 1);
  assert.match((await inbound.textContent()) ?? '', /TrainingCompleted is not accepted in status completed/);

  const classes = async (selector: string) => (await page.locator(selector).first().getAttribute('class'))?.split(' ') ?? [];
  assert.ok((await classes('[data-state="avatar.completed"]')).includes('visited'));
  assert.ok((await classes('[data-state="avatar.completed"]')).includes('current'));
  assert.ok((await classes('[data-state="avatar.failed"]')).includes('visited'));
  assert.not.ok((await classes('[data-state="avatar.cancelled"]')).includes('visited'), 'an untaken state is not highlighted');
  assert.ok((await classes('g.edge[data-transition="avatar.training|TrainingFailed|avatar.failed"]')).includes('taken'));
  assert.ok((await classes('g.edge[data-transition="avatar.failed|TrainingRequested|avatar.training"]')).includes('taken'));
  assert.not.ok((await classes('g.edge[data-transition="avatar.ready|TrainingCancelled|avatar.cancelled"]')).includes('taken'));
});

test('time travel: the slider and the timeline move the state shown', async ({ page, demo }) => {
  const slider = page.locator('#version');
  await slider.focus();
  for (let v = demo.versions.completed; v > demo.versions.firstFailure; v--) await page.keyboard.press('ArrowLeft');
  await page.locator('#state-card .status', { hasText: 'failed' }).waitFor();
  assert.is(await page.locator('#version-label').textContent(), `version ${demo.versions.firstFailure} of ${demo.versions.completed}`);
  assert.match((await page.locator('#state-card').textContent()) ?? '', /GPU ran out of memory/);
  const completed = (await page.locator('[data-state="avatar.completed"]').getAttribute('class')) ?? '';
  assert.not.match(completed, /visited/, 'the future is not part of the path');
  assert.match((await page.locator('[data-state="avatar.failed"]').getAttribute('class')) ?? '', /current/);
  assert.match((await page.locator(`li.row.event[data-version="${demo.versions.completed}"]`).getAttribute('class')) ?? '', /future/);
  assert.match((await page.locator('#state-card .accepts').textContent()) ?? '', /TrainingRequested/);

  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: `${artifacts}inspector.png` });

  await page.locator(`li.row.event[data-version="${demo.versions.created}"]`).click();
  await page.locator('#state-card .status', { hasText: 'draft' }).waitFor();
  assert.match((await page.locator('#state-card').textContent()) ?? '', /0 \/ 20/);
});

test('the NDJSON export downloads the stream', async ({ page, demo }) => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  assert.is(download.suggestedFilename(), `avatar-${demo.avatarId}.ndjson`);
  const path = await download.path();
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  assert.is(lines.length, demo.versions.completed);
  assert.is((JSON.parse(lines[0]!) as { type: string }).type, 'AvatarCreated');
});

test("the wallet panel shows the owner's credits beside the timeline, linked both ways to the attempts", async ({ page, demo }) => {
  const wallet = demo.wallet!;
  const panel = page.locator('#avatar-wallet-timeline');
  await panel.locator('li.row').first().waitFor();
  // Opened, the welcome grant, attempt 1 reserved and released, attempt 2 reserved and captured.
  assert.is(await panel.locator('li.row').count(), 6);
  assert.is(await panel.locator('li.row.this-avatar').count(), 4, "the rows about this avatar's attempts are marked");
  assert.match((await page.locator('#wallet-panel-summary').textContent()) ?? '', /wallet-4242 · balance 270 · reserved 0 · available 270/);
  assert.match((await panel.locator(`li.row[data-version="${wallet.captured}"]`).textContent()) ?? '', /ReservationCaptured−30balance 270 · reserved 0/);
  assert.match((await panel.locator(`li.row[data-version="${wallet.released}"]`).textContent()) ?? '', /ReservationReleased30 freedbalance 300 · reserved 0/);

  // Avatar → wallet: attempt 2's TrainingRequested shows the CreditsReserved that paid for it.
  const classes = async (selector: string) => (await page.locator(selector).getAttribute('class')) ?? '';
  await page.locator(`#timeline li.row.event[data-version="${demo.versions.retried}"] .wallet-link`).click();
  await panel.locator('li.row.linked').first().waitFor();
  assert.is(await panel.locator('li.row.linked').count(), 1);
  assert.match(await classes(`#avatar-wallet-timeline li.row[data-version="${wallet.reserved[1]}"]`), /linked/);

  // Wallet → avatar: the release of attempt 1 leads to the TrainingRequested it paid for, and
  // selecting that marks both wallet events about it.
  await panel.locator(`li.row[data-version="${wallet.released}"] button.purpose`).click();
  await page.locator('#version-label', { hasText: `version ${demo.versions.firstRequest} of ${demo.versions.completed}` }).waitFor();
  assert.match(await classes(`#timeline li.row.event[data-version="${demo.versions.firstRequest}"]`), /selected/);
  const linked = await panel.locator('li.row.linked').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-version'))));
  assert.equal(linked, [wallet.reserved[0], wallet.released]);

  // The wallet's own page.
  await page.locator('#wallet-open').click();
  await page.locator('#wallet').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#avatar').isHidden());
  assert.is(await page.locator('#wallet-title').textContent(), 'Wallet of user 4242');
  assert.match((await page.locator('#wallet-totals').textContent()) ?? '', /Balance270Reserved0Available270/);
  assert.is(await page.locator('#wallet-timeline li.row').count(), 6);
  assert.match((await page.locator('#wallet-reservations').textContent()) ?? '', /nothing is reserved/);
  assert.ok(await page.locator('#wallet-anomalies').isHidden());
  assert.match(page.url(), /#wallet=wallet-4242$/);
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: `${artifacts}inspector-wallet.png` });

  // From there back to the avatar, at the attempt the capture paid for.
  await page.locator(`#wallet-timeline li.row[data-version="${wallet.captured}"] button.purpose`).click();
  await page.locator('#avatar').waitFor({ state: 'visible' });
  await page.locator('#version-label', { hasText: `version ${demo.versions.retried} of` }).waitFor();
});

test('a wallet link shows its anomalies; the search finds wallets by owner id', async ({ page }) => {
  // A link followed inside the page: only the fragment changes.
  await page.evaluate("location.hash = '#wallet=wallet-7777'");
  await page.locator('#wallet-title', { hasText: 'Wallet of user 7777' }).waitFor();
  const anomaly = page.locator('#wallet-anomalies li[data-kind="wallet_invariant"]');
  await anomaly.waitFor();
  assert.match((await anomaly.textContent()) ?? '', /wallet invariant.*reservation stuck-attempt \(30 credits\) is open/);
  assert.match((await page.locator('#wallet-reservations').textContent()) ?? '', /30 heldtraining stuck-attempt of avatar/);
  await anomaly.click();
  assert.match((await page.locator('#wallet-timeline li.row.selected').textContent()) ?? '', /CreditsReserved/);

  await page.locator('#search').fill('4242');
  const found = page.locator('button.wallet-result[data-wallet-id="wallet-4242"]');
  await found.waitFor();
  await found.click();
  await page.locator('#wallet-title', { hasText: 'Wallet of user 4242' }).waitFor();
});

test('an avatar named like an HTML tag is shown as text and runs nothing', async ({ page }) => {
  await page.locator('#search').fill('<img');
  await page.locator('#results[data-query="<img"]').waitFor();
  const name = page.locator('button.result .result-name');
  await name.first().waitFor();
  assert.is(await name.first().textContent(), hostileName);
  await page.locator('button.result').first().click();
  await page.locator('#avatar-name', { hasText: hostileName }).waitFor();
  assert.is(await page.locator('#avatar-name').textContent(), hostileName);
  assert.is(await page.locator('img').count(), 0, 'no element was created from the name');
  assert.is(await page.evaluate('window.__pwned'), undefined);
});

test('the page ran without a CSP violation or a script error', ({ problems }) => {
  assert.equal(problems, []);
});

test.run();
