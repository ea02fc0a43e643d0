/**
 * The test command: type-checks the workspace, then runs every uvu test file in its own process
 * (two at a time; each file owns its servers and databases) and ends with `N passed, N failed`.
 *
 *   pnpm test                      every test
 *   pnpm test packages/store       only files whose path contains the argument
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const filters = process.argv.slice(2);
const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.min(2, availableParallelism()));
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 300_000);

interface Outcome {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  output: string;
  seconds: number;
}

function findTestFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTestFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

function runProcess(command: string, args: string[], timeoutMs: number) {
  return new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let timedOut = false;
    let lingering: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // uvu prints its summary when every suite ran; a file that then stays alive leaks a handle.
      if (lingering === undefined && /Duration:/.test(output)) {
        lingering = setTimeout(() => {
          output += '\n  (warning: the process did not exit 10 s after its tests finished; a handle leaks)\n';
          child.kill('SIGKILL');
        }, 10_000);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(lingering);
      resolve({ code, output, timedOut });
    });
  });
}

function count(output: string, label: string): number | null {
  const match = new RegExp(`${label}:\\s+(\\d+)`).exec(output);
  return match ? Number(match[1]) : null;
}

async function runTestFile(file: string): Promise<Outcome> {
  const started = Date.now();
  const { code, output, timedOut } = await runProcess(process.execPath, ['--import', 'tsx', file], fileTimeoutMs);
  const total = count(output, 'Total');
  const passed = count(output, 'Passed') ?? 0;
  const skipped = count(output, 'Skipped') ?? 0;
  // A file that crashed or timed out before its summary counts as one failure at least.
  // uvu's Total leaves out the skipped tests.
  let failed = total === null ? 1 : total - passed;
  if (failed === 0 && code !== 0 && !/did not exit/.test(output)) failed = 1;
  const note = timedOut ? `\n  (killed after ${fileTimeoutMs / 1000} s)\n` : '';
  return { file: relative(root, file), passed, failed, skipped, output: output + note, seconds: (Date.now() - started) / 1000 };
}

async function typecheck(): Promise<Outcome> {
  const started = Date.now();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const { code, output } = await runProcess(process.execPath, [tsc, '-p', 'tsconfig.json'], fileTimeoutMs);
  const ok = code === 0;
  return { file: 'typecheck (tsc)', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, output, seconds: (Date.now() - started) / 1000 };
}

async function main() {
  const files = ['packages', 'apps', 'scripts']
    .flatMap((dir) => findTestFiles(join(root, dir)))
    .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
    .sort();
  const outcomes: Outcome[] = [];
  const report = (o: Outcome) => {
    outcomes.push(o);
    const mark = o.failed > 0 ? 'FAIL' : 'ok  ';
    const skipped = o.skipped > 0 ? `, ${o.skipped} skipped` : '';
    console.log(`${mark} ${o.file}  (${o.passed} passed, ${o.failed} failed${skipped}, ${o.seconds.toFixed(1)} s)`);
    if (o.failed > 0 || process.env.TEST_VERBOSE) console.log(o.output.replace(/^/gm, '    '));
  };

  console.log(`database backends: pglite${process.env.TEST_DATABASE_URL ? ' + postgres (TEST_DATABASE_URL)' : ''}`);
  if (filters.length === 0) report(await typecheck());
  const queue = [...files];
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) report(await runTestFile(file));
    }),
  );
  if (files.length === 0) console.log('no test files matched');
  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  const skipped = outcomes.reduce((n, o) => n + o.skipped, 0);
  if (skipped > 0) console.log(`\n${skipped} skipped`);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
}

await main();
