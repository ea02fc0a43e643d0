import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

const scripts = new Map<string, Promise<string>>();

/**
 * A worker's code as one CommonJS script, bundled from its TypeScript sources once per process
 * (esbuild, which tsx runs on anyway, takes a fraction of a second). A worker started from it
 * needs no TypeScript loader: tsx's hooks would run a loader thread of their own beside it, ~20 MB
 * of resident memory, and would load every module file by file.
 */
function bundled(entry: URL): Promise<string> {
  const path = fileURLToPath(entry);
  let script = scripts.get(path);
  if (!script) {
    script = bundle(path);
    scripts.set(path, script);
  }
  return script;
}

async function bundle(path: string): Promise<string> {
  // Imported here, so processes that never start a worker (the apps) do not load the bundler.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

type Reply<TResponse> = { id: number; response: TResponse } | { id: number; error: string };

/**
 * A worker thread that answers requests with a pure function of this package (folding pages for
 * replay, building rows for rebuild), so the machine runs while the main thread talks to
 * Postgres. Requests are answered in the order they are sent.
 */
export class WorkerThread<TRequest, TResponse> {
  private readonly waiting = new Map<number, { resolve(response: TResponse): void; reject(error: Error): void }>();
  private nextId = 1;

  private constructor(
    private readonly worker: Worker,
    task: string,
  ) {
    worker.on('message', (reply: Reply<TResponse>) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`${task} failed: ${reply.error}`));
      else waiter?.resolve(reply.response);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`the ${task} worker exited with code ${code}`)));
  }

  /**
   * Starts a worker running `entry` (a module that calls `answerRequests`). Its garbage is
   * short-lived: a young generation of 16 MB collects it cheaply (8 MB spends a quarter of the
   * time in GC) without growing the process much. The script is plain JavaScript, so the
   * process's `--import tsx` is not passed on.
   */
  static async start<TRequest, TResponse>(entry: URL, task: string): Promise<WorkerThread<TRequest, TResponse>> {
    const worker = new Worker(await bundled(entry), { eval: true, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    return new WorkerThread<TRequest, TResponse>(worker, task);
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  run(request: TRequest): Promise<TResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The worker side: answers each request with `handle`, or with the error it threw. */
export function answerRequests<TRequest, TResponse>(handle: (request: TRequest) => TResponse): void {
  parentPort?.on('message', ({ id, request }: { id: number; request: TRequest }) => {
    let reply: Reply<TResponse>;
    try {
      reply = { id, response: handle(request) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    parentPort?.postMessage(reply);
  });
}
