/** The demo's verdict: every step states what should have happened, and whether it did. */
export class Checks {
  private readonly results: { name: string; ok: boolean; detail: string }[] = [];

  constructor(private readonly report: (line: string) => void) {}

  pass(name: string, detail = ''): void {
    this.results.push({ name, ok: true, detail });
    this.report(`  ✔ ${name}${detail ? ` (${detail})` : ''}`);
  }

  fail(name: string, detail: string): void {
    this.results.push({ name, ok: false, detail });
    this.report(`  ✘ ${name}: ${detail}`);
  }

  /** Records a check from a condition. */
  expect(name: string, ok: boolean, detail = ''): void {
    if (ok) this.pass(name, detail);
    else this.fail(name, detail || 'not as specified');
  }

  /** Runs a step whose own waits and checks may throw; a throw fails the step with its message. */
  async step(name: string, run: () => Promise<string | void>): Promise<boolean> {
    try {
      const detail = await run();
      this.pass(name, detail ?? '');
      return true;
    } catch (error) {
      this.fail(name, error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): { name: string; detail: string }[] {
    return this.results.filter((r) => !r.ok);
  }

  get total(): number {
    return this.results.length;
  }
}
