/** The HTTP routes the emulator serves, for fault injection and the call log. */
export type FalRoute =
  | 'submit'
  | 'status'
  | 'result'
  | 'cancel'
  | 'storage_initiate'
  | 'storage_upload'
  | 'file'
  | 'jwks';

export interface SubmitHang {
  /** Answer after this long; never answer when absent (the job is created either way). */
  answerAfterMs?: number;
}

/** Failures planned by a test: error answers for a route, and submits that do not answer. */
export class Faults {
  readonly #failures = new Map<FalRoute, number[]>();
  readonly #hangs: SubmitHang[] = [];

  failNext(route: FalRoute, count: number, status: number): void {
    this.#failures.set(route, [...(this.#failures.get(route) ?? []), ...Array<number>(count).fill(status)]);
  }

  /** The status to fail this call with, if one is planned. */
  takeFailure(route: FalRoute): number | undefined {
    return this.#failures.get(route)?.shift();
  }

  hangNextSubmit(hang: SubmitHang): void {
    this.#hangs.push(hang);
  }

  takeHang(): SubmitHang | undefined {
    return this.#hangs.shift();
  }
}
