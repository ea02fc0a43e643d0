import type { Anomaly, StreamReplay, TimelineEntry } from '@avatar/store';

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function outcomeOf(entry: TimelineEntry): string {
  const move = `${entry.before ?? '∅'} → ${entry.after ?? '∅'}`;
  if (entry.outcome === 'applied') return move;
  return `${entry.outcome.toUpperCase()} (stays ${entry.after ?? '∅'}): ${entry.reason}`;
}

/** A readable timeline: version, time, event, who, and status before → after or why it was refused. */
export function formatTimeline(replay: StreamReplay): string[] {
  const lines = [`${replay.kind ?? 'stream'} ${replay.streamId}: ${replay.finalStatus ?? '(never started)'} at version ${replay.version}`];
  const versionWidth = String(replay.version).length + 1;
  for (const entry of replay.timeline) {
    lines.push(
      `  ${pad(`v${entry.version}`, versionWidth)}  ${when(entry.createdAt)}  ${pad(entry.type, 19)}  ${pad(entry.actor, 22)}  ${outcomeOf(entry)}`,
    );
  }
  lines.push(...formatAnomalies(replay.anomalies));
  return lines;
}

export function formatAnomalies(anomalies: readonly Anomaly[]): string[] {
  if (anomalies.length === 0) return ['  no anomalies'];
  return [
    `  ${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}:`,
    ...anomalies.map((a) => `    ${a.kind} at v${a.version} (${a.type}): ${a.reason}`),
  ];
}

/** The --json form: one object per stream, one per line. */
export function replayJson(replay: StreamReplay): string {
  return JSON.stringify({
    streamId: replay.streamId,
    finalStatus: replay.finalStatus,
    anomalies: replay.anomalies.map(({ version, type, kind, reason }) => ({ version, type, kind, reason })),
  });
}
