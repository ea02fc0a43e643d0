/**
 * Replays every stream of the bench database in a process of its own, so its peak RSS is the
 * replay's alone. Prints one JSON line: events, streams, anomalies, seconds, peak RSS.
 */
import { databaseConfigFromEnv, openStore, replayAll } from '@avatar/store';

const store = await openStore({ ...databaseConfigFromEnv(), streamCacheSize: 0 });
try {
  const started = performance.now();
  let events = 0;
  let streams = 0;
  let anomalies = 0;
  for await (const replay of replayAll(store)) {
    streams += 1;
    events += replay.version;
    anomalies += replay.anomalies.length;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ events, streams, anomalies, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
} finally {
  await store.close();
}
