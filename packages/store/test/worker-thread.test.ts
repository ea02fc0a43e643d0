import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkerThread } from '../src/worker-thread.js';

test('a worker thread answers each request with its own result, in order, and survives a request that fails', async () => {
  const worker = await WorkerThread.start<number, number>(new URL('./squaring-worker.ts', import.meta.url), 'squaring');
  try {
    const answers = await Promise.allSettled([1, 2, -3, 4].map((n) => worker.run(n)));
    assert.equal(
      answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message.split('\n')[0])),
      [1, 4, 'squaring failed: Error: asked to square -3', 16],
    );
    assert.is(await worker.run(5), 25);
  } finally {
    await worker.close();
  }
});

test('requests waiting on a worker that is closed fail instead of hanging', async () => {
  const worker = await WorkerThread.start<number, number>(new URL('./squaring-worker.ts', import.meta.url), 'squaring');
  const outcome = worker.run(1001).then(
    () => 'answered',
    (error: Error) => error.message,
  );
  await worker.close();
  assert.match(await outcome, /the squaring worker exited/);
});

test.run();
