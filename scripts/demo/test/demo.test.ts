import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(import.meta.dirname, '..', '..', '..');
const test = suite('pnpm demo');

test('walks the whole journey offline, prints the chat and the timelines, and exits 0', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo', 'main.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.is(run.status, 0, output);
  for (const expected of [
    'Alice: [album: 10 photos]',
    'Not added to Alex <3: this photo is already there.',
    'it is 320×400 px; the shortest side must be at least 512 px',
    'Alice: [document me-at-the-sea.png',
    '🎉 Alex <3 is ready!',
    'TrainingCompleted    system fal-reconciler',
    'GenerationCompleted',
    '😔 Training Cyber_Alex* failed: Could not find a face in enough images',
    '🎉 Cyber_Alex* is ready!',
    'Not enough credits: this needs 150 and you have 50.',
    '✅ Payment received: +500 credits. You now have 550.',
    'ReservationReleased  system wallet-settlements',
    '💰 Balance: 240 credits',
  ]) {
    assert.ok(output.includes(expected), `missing: ${expected}`);
  }
  assert.match(output, /✔ the demo behaved as specified: (\d+)\/\1 checks passed/);
});

test.run();
