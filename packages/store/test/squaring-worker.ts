import { answerRequests } from '../src/worker-thread.js';

/** A worker for worker-thread.test.ts: squares numbers; fails on a negative one; takes a minute over 1,000. */
answerRequests((n: number) => {
  if (n < 0) throw new Error(`asked to square ${n}`);
  if (n > 1000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  return n * n;
});
