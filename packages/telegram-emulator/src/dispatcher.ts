import { BotApiError, errorBody, notFound, type ApiErrorBody } from './errors.js';
import type { FaultInjection } from './fault-injection.js';
import type { ApiParams } from './http/api-params.js';
import type { MethodHandler } from './methods/index.js';

/** One Bot API call as the emulator saw it, for assertions such as "the bot never called sendMessage twice". */
export interface ApiCall {
  method: string;
  /** The parameters as received; uploads appear as `<upload name, N bytes>`. */
  params: Record<string, unknown>;
  /** The HTTP status of the answer (200, 400, 403, 429, ...). */
  status: number;
  /** The error description, for failed calls. */
  description?: string;
}

export type ApiResponse = { ok: true; result: unknown } | ApiErrorBody;

const chatIdOf = (params: ApiParams | undefined) => {
  const raw = params?.string('chat_id');
  return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
};

/** Runs Bot API methods: finds the handler, applies injected failures, logs every call. */
export class Dispatcher {
  readonly calls: ApiCall[] = [];

  constructor(
    private readonly methods: ReadonlyMap<string, MethodHandler>,
    private readonly faults: FaultInjection,
  ) {}

  async call(method: string, loadParams: () => Promise<ApiParams>, cancelled: AbortSignal): Promise<{ status: number; body: ApiResponse }> {
    let params: ApiParams | undefined;
    try {
      const handler = this.methods.get(method.toLowerCase());
      if (handler === undefined) throw notFound();
      params = await loadParams();
      const injected = this.faults.take(method, chatIdOf(params));
      if (injected !== undefined) throw injected;
      const result = await handler({ params, cancelled });
      this.calls.push({ method, params: params.summary(), status: 200 });
      return { status: 200, body: { ok: true, result } };
    } catch (thrown) {
      const error =
        thrown instanceof BotApiError
          ? thrown
          : new BotApiError(500, `Internal Server Error: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      this.calls.push({ method, params: params?.summary() ?? {}, status: error.errorCode, description: error.description });
      return { status: error.errorCode, body: errorBody(error) };
    }
  }
}
