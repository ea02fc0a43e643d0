import { parentPort } from 'node:worker_threads';
import { foldPage, type PageToFold } from './page.js';

/** The fold worker: pages in, replays out, so the machine runs while the main thread reads the log. */
parentPort?.on('message', ({ id, page }: { id: number; page: PageToFold }) => {
  try {
    parentPort?.postMessage({ id, replays: foldPage(page) });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
