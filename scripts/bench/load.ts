/** Runs `worker` on `concurrency` lanes for `seconds` (after a short warm-up); returns operations/s. */
export async function throughput(
  { concurrency, seconds, warmupSeconds = 1 }: { concurrency: number; seconds: number; warmupSeconds?: number },
  worker: (lane: number) => Promise<void>,
): Promise<{ perSecond: number; operations: number; errors: number; firstError: string | null }> {
  let operations = 0;
  let errors = 0;
  let firstError: string | null = null;
  let counting = false;
  const warmupEnds = Date.now() + warmupSeconds * 1000;
  const ends = warmupEnds + seconds * 1000;
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (Date.now() < ends) {
        if (!counting && Date.now() >= warmupEnds) {
          counting = true;
          started = performance.now();
        }
        try {
          await worker(lane);
          if (counting) operations += 1;
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: Math.round(operations / elapsed), operations, errors, firstError };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
