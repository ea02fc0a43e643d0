import { z } from 'zod';
import { parseJsonKeepingIntegers } from './exact-json.js';
import { describeIssues, parseOutput, readableReason, type FalOutcome } from './outcome.js';

export type FalWebhookParse =
  | { ok: true; requestId: string; gatewayRequestId: string; outcome: FalOutcome }
  /** Not a body fal sends: the route answers 400. */
  | { ok: false; reason: 'invalid_json' | 'unexpected_shape'; detail: string };

const webhookBody = z.object({
  request_id: z.string().min(1),
  gateway_request_id: z.string().min(1).nullish(),
  status: z.enum(['OK', 'ERROR']),
  payload: z.unknown(),
  error: z.string().nullish(),
  payload_error: z.string().nullish(),
});

/** A verified webhook's body (verify first: see webhook-signature.ts). */
export function parseFalWebhook(rawBody: Uint8Array): FalWebhookParse {
  let json: unknown;
  try {
    json = parseJsonKeepingIntegers(Buffer.from(rawBody).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: String(error) };
  }
  const body = webhookBody.safeParse(json);
  if (!body.success) return { ok: false, reason: 'unexpected_shape', detail: describeIssues(body.error) };
  const { request_id: requestId, gateway_request_id: gatewayRequestId, status, payload, error } = body.data;
  const ids = { requestId, gatewayRequestId: gatewayRequestId ?? requestId };

  if (status === 'ERROR') {
    // fal's `error` reads like "Invalid status code: 422"; the model's own error is the payload.
    const httpStatus = /\b([1-5]\d\d)\b/.exec(error ?? '')?.[1];
    const reason = readableReason(payload, error ?? 'fal reported an error without a reason');
    return { ok: true, ...ids, outcome: { kind: 'model_error', httpStatus: httpStatus === undefined ? null : Number(httpStatus), reason } };
  }
  if (payload === null || payload === undefined) {
    const reason = body.data.payload_error ?? 'fal sent no output';
    return { ok: true, ...ids, outcome: { kind: 'output_unavailable', reason } };
  }
  const output = parseOutput(payload);
  if (!output.ok) return { ok: false, reason: 'unexpected_shape', detail: output.error };
  return { ok: true, ...ids, outcome: { kind: 'succeeded', output: output.output } };
}
