import type { ErrorDetail } from './input-errors.js';
import type { PyJson } from './python-json.js';

/** How a job ended, as the model (or fal's queue, for a cancellation) answered. */
export type JobOutcome =
  | { kind: 'succeeded'; output: PyJson }
  | { kind: 'failed'; httpStatus: number; body: PyJson }
  | { kind: 'cancelled' };

export function modelError(httpStatus: number, detail: readonly ErrorDetail[] | string): JobOutcome {
  return { kind: 'failed', httpStatus, body: { detail: typeof detail === 'string' ? detail : detail.map((d) => ({ ...d })) } };
}

/** fal's request-error shape for a request its client cancelled (`client_cancelled`, 499). */
const cancellation = { httpStatus: 499, body: { detail: 'Request cancelled by the client', error_type: 'client_cancelled' } };

/** What `GET …/requests/{id}` answers for a completed job: the model's response, error or not. */
export function resultResponse(outcome: JobOutcome): { httpStatus: number; body: PyJson } {
  switch (outcome.kind) {
    case 'succeeded':
      return { httpStatus: 200, body: outcome.output };
    case 'failed':
      return { httpStatus: outcome.httpStatus, body: outcome.body };
    case 'cancelled':
      return cancellation;
  }
}

/**
 * The webhook body: `{error, gateway_request_id, payload, request_id, status}`. With `payloadError`
 * set, fal could not serialize the output: `status` stays OK, `payload` is null.
 */
export function webhookBody(requestId: string, outcome: JobOutcome, payloadError: string | null): PyJson {
  const ids = { request_id: requestId, gateway_request_id: requestId };
  if (outcome.kind === 'succeeded') {
    if (payloadError !== null) return { ...ids, status: 'OK', payload: null, payload_error: payloadError, error: null };
    return { ...ids, status: 'OK', payload: outcome.output, error: null };
  }
  const { httpStatus, body } = resultResponse(outcome);
  return { ...ids, status: 'ERROR', payload: body, error: `Invalid status code: ${httpStatus}` };
}
