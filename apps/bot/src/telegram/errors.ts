import { GrammyError } from 'grammy';

/** How a failed Bot API call should be treated. */
export type ApiFailure =
  | { kind: 'blocked' }
  | { kind: 'flood'; retryAfterSeconds: number }
  | { kind: 'not_modified' }
  | { kind: 'message_gone' }
  | { kind: 'bad_request'; description: string }
  | { kind: 'transient'; description: string };

export function classifyApiError(error: unknown): ApiFailure {
  if (!(error instanceof GrammyError)) return { kind: 'transient', description: error instanceof Error ? error.message : String(error) };
  const { error_code: code, description } = error;
  if (code === 403) return { kind: 'blocked' };
  if (code === 429) return { kind: 'flood', retryAfterSeconds: error.parameters.retry_after ?? 1 };
  if (code === 400 && description.includes('message is not modified')) return { kind: 'not_modified' };
  if (code === 400 && /message to edit not found|message can't be edited|message to delete not found/.test(description)) {
    return { kind: 'message_gone' };
  }
  if (code >= 500) return { kind: 'transient', description };
  return { kind: 'bad_request', description };
}
