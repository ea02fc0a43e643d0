import { ApiError, createFalClient } from '@fal-ai/client';
import { z } from 'zod';
import {
  endpointFor,
  fastTrainingInput,
  generationEndpoint,
  generationInput,
  portraitTrainingInput,
  trainingEndpoints,
  type GenerationRequest,
  type TrainingRequest,
} from './endpoints.js';
import { FalUnexpectedResponse, toFalError } from './errors.js';
import { describeIssues, parseOutput, readableReason, type FalOutcome } from './outcome.js';
import { falFetch, redirectFalHosts } from './transport.js';

export interface FalGatewayOptions {
  /** FAL_KEY: `key_id:key_secret`. */
  credentials: string;
  /** The emulator's root URL; absent, the gateway talks to fal itself. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** How long a submit may go unanswered before it counts as unreachable. Default 30 s. */
  submitTimeoutMs?: number;
  /** The same for every other call (uploads included). Default 120 s. */
  requestTimeoutMs?: number;
}

export interface FalSubmission {
  requestId: string;
  endpoint: string;
}

export type FalQueueStatus =
  | { state: 'IN_QUEUE'; queuePosition: number }
  | { state: 'IN_PROGRESS'; logs: string[] }
  | { state: 'COMPLETED' };

/** A request's result: its outcome, or why there is none (yet, or any more). */
export type FalResult =
  | FalOutcome
  /** fal keeps results about an hour; after that (or for an id it never had) there is nothing. */
  | { kind: 'expired'; reason: string }
  | { kind: 'still_running' };

export interface FalGateway {
  /** Uploads to fal's storage; returns the URL fal's models can download it from. */
  uploadFile(bytes: Uint8Array, file: { contentType: string; fileName: string }): Promise<string>;
  submitTraining(request: TrainingRequest): Promise<FalSubmission>;
  submitGeneration(request: GenerationRequest): Promise<FalSubmission>;
  status(endpoint: string, requestId: string): Promise<FalQueueStatus>;
  result(endpoint: string, requestId: string): Promise<FalResult>;
  cancel(endpoint: string, requestId: string): Promise<'cancellation_requested' | 'already_completed'>;
}

const submitAnswer = z.object({ request_id: z.string().min(1) });

const statusAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('IN_QUEUE'), queue_position: z.number().int().nonnegative() }),
  z.object({ status: z.literal('IN_PROGRESS'), logs: z.array(z.object({ message: z.string() })).nullish() }),
  z.object({ status: z.literal('COMPLETED') }),
]);

/** Every method throws a `FalError` (see errors.ts) when the call fails. */
export function createFalGateway(options: FalGatewayOptions): FalGateway {
  if (!/^[^:\s]+:[^:\s]+$/.test(options.credentials)) {
    throw new RangeError('fal credentials must look like key_id:key_secret');
  }
  const submitTimeoutMs = options.submitTimeoutMs ?? 30_000;
  const client = createFalClient({
    credentials: options.credentials,
    fetch: falFetch(options.fetch ?? fetch, options.requestTimeoutMs ?? 120_000),
    ...(options.baseUrl === undefined ? {} : { requestMiddleware: redirectFalHosts(options.baseUrl) }),
  });

  const submitOptions = (webhookUrl: string) => ({ webhookUrl, abortSignal: AbortSignal.timeout(submitTimeoutMs) });

  return {
    uploadFile: async (bytes, { contentType, fileName }) => {
      const fileUrl = z.url().safeParse(await call(() => client.storage.upload(new File([bytes], fileName, { type: contentType }))));
      if (!fileUrl.success) throw new FalUnexpectedResponse('upload: fal gave no file URL');
      return fileUrl.data;
    },

    submitTraining: async (request) =>
      submitted(
        endpointFor(request.trainer),
        request.trainer === 'portrait'
          ? client.queue.submit(trainingEndpoints.portrait, { input: portraitTrainingInput(request), ...submitOptions(request.webhookUrl) })
          : client.queue.submit(trainingEndpoints.fast, { input: fastTrainingInput(request), ...submitOptions(request.webhookUrl) }),
      ),

    submitGeneration: async (request) =>
      submitted(
        generationEndpoint,
        client.queue.submit(generationEndpoint, { input: generationInput(request), ...submitOptions(request.webhookUrl) }),
      ),

    status: async (endpoint, requestId) => {
      const answer = statusAnswer.safeParse(await call(() => client.queue.status(endpoint, { requestId, logs: true })));
      if (!answer.success) throw new FalUnexpectedResponse(`status: ${describeIssues(answer.error)}`);
      switch (answer.data.status) {
        case 'IN_QUEUE':
          return { state: 'IN_QUEUE', queuePosition: answer.data.queue_position };
        case 'IN_PROGRESS':
          return { state: 'IN_PROGRESS', logs: (answer.data.logs ?? []).map((entry) => entry.message) };
        case 'COMPLETED':
          return { state: 'COMPLETED' };
      }
    },

    result: async (endpoint, requestId) => {
      let data: unknown;
      try {
        ({ data } = await client.queue.result(endpoint, { requestId }));
      } catch (error) {
        return failedResult(error);
      }
      const output = parseOutput(data);
      if (!output.ok) throw new FalUnexpectedResponse(`result: ${output.error}`);
      return { kind: 'succeeded', output: output.output };
    },

    cancel: async (endpoint, requestId) => {
      try {
        await client.queue.cancel(endpoint, { requestId });
        return 'cancellation_requested';
      } catch (error) {
        if (error instanceof ApiError && error.status === 400 && hasStatus(error.body, 'ALREADY_COMPLETED')) {
          return 'already_completed';
        }
        throw toFalError(error);
      }
    },
  };
}

async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toFalError(error);
  }
}

async function submitted(endpoint: string, submission: Promise<unknown>): Promise<FalSubmission> {
  const answer = submitAnswer.safeParse(await call(() => submission));
  if (!answer.success) throw new FalUnexpectedResponse(`submit: ${describeIssues(answer.error)}`);
  return { requestId: answer.data.request_id, endpoint };
}

/**
 * The result endpoint answers a failed request with the model's own error and status code, so an
 * error answer is the request's outcome, except those about the call itself: credentials (401,
 * 403), an unknown app or request (404), and fal being unavailable (429, 502–504).
 */
function failedResult(error: unknown): FalResult {
  if (!(error instanceof ApiError)) throw toFalError(error);
  const reason = readableReason(error.body, error.message);
  // fal's wording is the only thing telling this 400 from a model's.
  if (error.status === 400 && reason === 'Request is still in progress') return { kind: 'still_running' };
  if (error.status === 404 && !/^Application ".*" not found$/.test(reason)) return { kind: 'expired', reason };
  if ([401, 403, 404, 429, 502, 503, 504].includes(error.status)) throw toFalError(error);
  return { kind: 'model_error', httpStatus: error.status, reason };
}

function hasStatus(body: unknown, status: string): boolean {
  return typeof body === 'object' && body !== null && 'status' in body && body.status === status;
}
