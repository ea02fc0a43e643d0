import type { ApiParams } from '../http/api-params.js';

export interface MethodCall {
  params: ApiParams;
  /** Aborted when the client goes away (a long poll that was cancelled). */
  cancelled: AbortSignal;
}

/** One Bot API method: returns the `result` or throws a BotApiError. */
export type MethodHandler = (call: MethodCall) => unknown;

/** Methods by their Bot API name. */
export type MethodTable = Record<string, MethodHandler>;
