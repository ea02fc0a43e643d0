import type { ResponseParameters } from '@grammyjs/types';

/** An error answer of the Bot API: `{ ok: false, error_code, description, parameters? }` with the same HTTP status. */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'BotApiError';
  }
}

export const badRequest = (reason: string) => new BotApiError(400, `Bad Request: ${reason}`);
export const forbidden = (reason: string) => new BotApiError(403, `Forbidden: ${reason}`);
export const conflict = (reason: string) => new BotApiError(409, `Conflict: ${reason}`);
export const notFound = () => new BotApiError(404, 'Not Found');
export const unauthorized = () => new BotApiError(401, 'Unauthorized');
export const tooManyRequests = (retryAfter: number) =>
  new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

/** The body of an error answer. */
export interface ApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export function errorBody(error: BotApiError): ApiErrorBody {
  return {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
    ...(error.parameters && { parameters: error.parameters }),
  };
}

/** Descriptions that several methods share, spelled exactly as Telegram spells them. */
export const reasons = {
  chatNotFound: 'chat not found',
  blocked: 'bot was blocked by the user',
  cannotInitiate: "bot can't initiate conversation with a user",
  textEmpty: 'message text is empty',
  textTooLong: 'message is too long',
  captionTooLong: 'message caption is too long',
  messageToEditNotFound: 'message to edit not found',
  notModified:
    'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of a message',
  queryTooOld: 'query is too old and response timeout expired or query ID is invalid',
  wrongFile: 'wrong file identifier/HTTP URL specified',
} as const;
