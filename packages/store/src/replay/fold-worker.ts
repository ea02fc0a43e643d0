import { Worker } from 'node:worker_threads';
import type { StreamReplay } from './fold.js';
import type { PageToFold } from './page.js';

/**
 * A worker thread that folds pages of streams. The workspace runs TypeScript through tsx, so the
 * worker registers tsx before it loads its entry (hooks given to the main thread do not reach
 * workers on Node 20).
 */
export class FoldWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(replays: StreamReplay[]): void; reject(error: Error): void }>();
  private nextId = 1;

  constructor() {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./worker.ts', import.meta.url).href;
    this.worker = new Worker(
      `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
      // The fold's garbage is short-lived: a young generation of 16 MB collects it cheaply (8 MB
      // spends a quarter of the time in GC) without growing the process much.
      { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 16 } },
    );
    this.worker.on('message', ({ id, replays, error }: { id: number; replays?: StreamReplay[]; error?: string }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error !== undefined) waiter?.reject(new Error(`replay fold failed: ${error}`));
      else waiter?.resolve(replays ?? []);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`replay fold worker exited with code ${code}`)));
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  fold(page: PageToFold): Promise<StreamReplay[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, page });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
