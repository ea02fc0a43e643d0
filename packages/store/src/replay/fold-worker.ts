import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { StreamReplay } from './fold.js';
import type { PageToFold } from './page.js';

let script: Promise<string> | undefined;

/**
 * The worker's code as one CommonJS script, bundled from its TypeScript sources once per process
 * (esbuild, which tsx runs on anyway, takes a fraction of a second). A worker started from it
 * needs no TypeScript loader: tsx's hooks would run a loader thread of their own beside it, ~20 MB
 * of a replay's resident memory, and would load every module file by file.
 */
function workerScript(): Promise<string> {
  script ??= build({
    entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return script;
}

/** A worker thread that folds pages of streams, so the machine runs while the main thread reads. */
export class FoldWorker {
  private readonly waiting = new Map<number, { resolve(replays: StreamReplay[]): void; reject(error: Error): void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {
    worker.on('message', ({ id, replays, error }: { id: number; replays?: StreamReplay[]; error?: string }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error !== undefined) waiter?.reject(new Error(`replay fold failed: ${error}`));
      else waiter?.resolve(replays ?? []);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`replay fold worker exited with code ${code}`)));
  }

  static async start(): Promise<FoldWorker> {
    // The fold's garbage is short-lived: a young generation of 16 MB collects it cheaply (8 MB
    // spends a quarter of the time in GC) without growing the process much. The script is plain
    // JavaScript, so the process's `--import tsx` is not passed on.
    return new FoldWorker(new Worker(await workerScript(), { eval: true, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 16 } }));
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
