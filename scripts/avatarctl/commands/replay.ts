import { replayAll, replayStream, type TimeTravel } from '@avatar/store';
import { formatAnomalies, formatTimeline, replayJson } from '../format.js';
import { exitCode, line, UsageError, type CliContext, type ExitCode } from '../io.js';

export interface ReplayArgs {
  streamId: string | undefined;
  all: boolean;
  at: string | undefined;
  json: boolean;
}

/** `--at 7` is a version; `--at 2026-11-24T10:00:00Z` a moment. */
export function parseAt(at: string | undefined): TimeTravel {
  if (at === undefined) return {};
  if (/^\d+$/.test(at)) return { toVersion: Number(at) };
  const until = new Date(at);
  if (Number.isNaN(until.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(at)) {
    throw new UsageError(`--at takes a version number or an ISO time, got "${at}"`);
  }
  return { until };
}

export async function replay(ctx: CliContext, args: ReplayArgs): Promise<ExitCode> {
  if (args.all === (args.streamId !== undefined)) throw new UsageError('replay takes a stream id or --all (not both)');
  const travel = parseAt(args.at);
  const store = await ctx.openStore();
  try {
    if (args.streamId !== undefined) {
      const result = await replayStream(store, args.streamId, travel);
      if (result.version === 0) {
        line(ctx.err, `no stream ${args.streamId}${args.at ? ` at ${args.at}` : ''}`);
        return exitCode.failure;
      }
      if (args.json) line(ctx.out, replayJson(result));
      else for (const text of formatTimeline(result)) line(ctx.out, text);
      return result.anomalies.length > 0 ? exitCode.anomalies : exitCode.ok;
    }
    let streams = 0;
    let withAnomalies = 0;
    let anomalies = 0;
    for await (const result of replayAll(store, { travel })) {
      streams += 1;
      if (args.json) line(ctx.out, replayJson(result));
      if (result.anomalies.length === 0) continue;
      withAnomalies += 1;
      anomalies += result.anomalies.length;
      if (!args.json) {
        line(ctx.out, `${result.kind ?? 'stream'} ${result.streamId}: ${result.finalStatus ?? '(never started)'} at version ${result.version}`);
        for (const text of formatAnomalies(result.anomalies)) line(ctx.out, text);
      }
    }
    if (!args.json) line(ctx.out, `replayed ${streams} streams: ${anomalies} anomalies in ${withAnomalies} streams`);
    return anomalies > 0 ? exitCode.anomalies : exitCode.ok;
  } finally {
    await store.close();
  }
}
