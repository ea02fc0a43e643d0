import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
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
  ctx.demo = await demoAvatar(ctx.store);
  await demoAvatar(ctx.store, { name: hostileName, ownerId: 9999, chatId: 9999 });
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
