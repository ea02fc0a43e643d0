import type { Anomaly, StreamReplay, TimelineEntry } from '@avatar/store';
import { describePurpose, type WalletLedgerRow, type WalletReport } from './wallet-report.js';

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
    // Checks that are not about one event name what they looked at in parentheses already: "(wallet)".
    ...anomalies.map((a) => `    ${a.kind} at v${a.version} ${a.type.startsWith('(') ? a.type : `(${a.type})`}: ${a.reason}`),
  ];
}

/** The --json form: one object per stream, one per line. */
export function replayJson(replay: StreamReplay): string {
  return JSON.stringify({
    streamId: replay.streamId,
    kind: replay.kind,
    finalStatus: replay.finalStatus,
    anomalies: replay.anomalies.map(({ version, type, kind, reason }) => ({ version, type, kind, reason })),
  });
}

// --- Wallets ------------------------------------------------------------------------------------


function ledgerDetail(row: WalletLedgerRow): string {
  const parts: string[] = [];
  if (row.grantId !== null) {
    const why = typeof row.data.reason === 'string' && row.data.reason !== row.grantId ? ` (${row.data.reason})` : '';
    parts.push(`grant ${row.grantId}${why}`);
  }
  if (row.telegramPaymentChargeId !== null) {
    const stars = typeof row.data.stars === 'number' ? `, ${row.data.stars} stars` : '';
    parts.push(`charge ${row.telegramPaymentChargeId}${stars}`);
  }
  if (row.purpose !== null) parts.push(describePurpose(row.purpose));
  else if (row.reservationId !== null) parts.push(`reservation ${row.reservationId}`);
  if (row.type === 'ReservationReleased' && typeof row.data.reason === 'string') parts.push(row.data.reason);
  return parts.join('; ');
}

/** The wallet's sums, its read-model row beside them, its open reservations and its top-ups. */
export function formatWalletSummary(report: WalletReport): string[] {
  const model = report.readModel;
  const lines = [
    `wallet ${report.walletId} (user ${report.ownerId}) at version ${report.version}`,
    `  balance       ${report.balance}`,
    `  reserved      ${report.reserved}`,
    `  available     ${report.available}`,
    `  read model    ${model ? `balance ${model.balance}, reserved ${model.reserved}, ${model.openReservations} open, version ${model.version}, updated ${when(model.updatedAt)}` : 'no row'}`,
    `  reservations  ${report.reservations.length === 0 ? 'none open' : `${report.reservations.length} open`}`,
    ...report.reservations.map((r) => `    ${r.reservationId}  ${r.credits} credits for ${describePurpose(r.purpose)}`),
    `  top-ups       ${report.topUps.length === 0 ? 'none' : report.topUps.length}`,
    ...report.topUps.map(
      (t) => `    ${t.telegramPaymentChargeId}  ${t.packageId}: ${t.credits} credits for ${t.stars} stars${t.refunded ? ' (refunded)' : ''}`,
    ),
  ];
  return lines;
}

/** Each wallet event: version, time, type, who, what it moved, balance and reserved after it. */
export function formatWalletTimeline(report: WalletReport): string[] {
  const versionWidth = String(report.version).length + 1;
  const lines = ['  timeline'];
  for (const row of report.rows) {
    const after = row.outcome === 'applied' ? `balance ${row.balance}, reserved ${row.reserved}` : `${row.outcome.toUpperCase()}: ${row.reason ?? ''}`;
    const detail = ledgerDetail(row);
    lines.push(
      `    ${pad(`v${row.version}`, versionWidth)}  ${when(row.at)}  ${pad(row.type, 19)}  ${pad(row.actor, 22)}  ${pad(row.moved, 9)}  ${after}${detail ? `  (${detail})` : ''}`,
    );
  }
  return lines;
}

export function formatWallet(report: WalletReport): string[] {
  return [...formatWalletSummary(report), ...formatWalletTimeline(report), ...formatAnomalies(report.anomalies)];
}

/** `avatarctl wallet --json`: one object. */
export function walletJson(report: WalletReport): string {
  return JSON.stringify({
    walletId: report.walletId,
    ownerId: report.ownerId,
    version: report.version,
    balance: report.balance,
    reserved: report.reserved,
    available: report.available,
    readModel: report.readModel && { ...report.readModel, updatedAt: report.readModel.updatedAt.toISOString() },
    reservations: report.reservations,
    topUps: report.topUps,
    timeline: report.rows.map((row) => ({
      version: row.version,
      at: row.at.toISOString(),
      type: row.type,
      actor: row.actor,
      outcome: row.outcome,
      reason: row.reason,
      credits: row.credits,
      balance: row.balance,
      reserved: row.reserved,
      available: row.available,
      reservationId: row.reservationId,
      purpose: row.purpose,
      telegramPaymentChargeId: row.telegramPaymentChargeId,
    })),
    anomalies: report.anomalies.map(({ version, type, kind, reason }) => ({ version, type, kind, reason })),
  });
}
