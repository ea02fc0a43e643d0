import { exportEvents, importEvents, migrateToLatest, rebuildProjections } from '@avatar/store';
import { exitCode, line, type CliContext, type ExitCode } from '../io.js';

export async function migrate(ctx: CliContext): Promise<ExitCode> {
  const store = await ctx.openStore();
  try {
    const applied = await migrateToLatest(store);
    line(ctx.out, applied.length === 0 ? `${store.description}: up to date` : `${store.description}: applied ${applied.join(', ')}`);
    return exitCode.ok;
  } finally {
    await store.close();
  }
}

export async function exportLog(ctx: CliContext, { streamId, outPath }: { streamId?: string; outPath?: string }): Promise<ExitCode> {
  const store = await ctx.openStore();
  const out = outPath ? await ctx.openOutput(outPath) : ctx.out;
  try {
    const count = await exportEvents(store, out, streamId ? { streamId } : {});
    line(ctx.err, `exported ${count} events`);
    return exitCode.ok;
  } finally {
    if (out !== ctx.out) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await store.close();
  }
}

export async function importLog(ctx: CliContext, path: string): Promise<ExitCode> {
  const input = await ctx.openInput(path);
  const store = await ctx.openStore();
  try {
    await migrateToLatest(store);
    const { streams, events } = await importEvents(store, input);
    line(ctx.out, `imported ${events} events in ${streams} streams from ${path} (no side effects run)`);
    return exitCode.ok;
  } finally {
    await store.close();
  }
}

export async function rebuild(ctx: CliContext): Promise<ExitCode> {
  const store = await ctx.openStore();
  try {
    const report = await rebuildProjections(store, {
      onProgress: ({ streams, events }) => line(ctx.err, `  ${streams} streams, ${events} events`),
    });
    const rate = report.seconds > 0 ? Math.round(report.events / report.seconds) : report.events;
    line(ctx.out, `rebuilt projections of ${report.streams} streams (${report.events} events) in ${report.seconds.toFixed(1)} s, ${rate} events/s`);
    return exitCode.ok;
  } finally {
    await store.close();
  }
}
