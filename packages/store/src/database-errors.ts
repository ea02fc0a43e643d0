/**
 * What an error from the database layer says: a SQLSTATE the server sent, or that the server
 * could not be reached. pg's and PGlite's `DatabaseError` carry a severity and a five-character
 * code; a socket's error carries a Node code (`EPIPE` has five characters too, hence the severity).
 */
export function sqlStateOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return sqlStateOf(error) === '23505' && (constraint === undefined || (error as { constraint?: unknown }).constraint === constraint);
}

export class DatabaseUnavailableError extends Error {
  constructor(description: string, cause: unknown) {
    super(`cannot reach the database (${description}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Socket errors on the way to the database, as Node names them. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an error says the database could not be reached (down, restarting, the network gone)
 * rather than that it refused a statement: the first is worth retrying later, the second is not.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const state = sqlStateOf(error);
  // Class 08 is a connection exception; 57P01-57P03, a server shutting down or starting.
  if (state !== null) return state.startsWith('08') || /^57P0[123]$/.test(state);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && unreachableCodes.has(code)) return true;
  // pg says so in words only: a connection lost mid-query, a pooled client that lost it, no free connection in time.
  return /^Connection terminated|not queryable|timeout exceeded when trying to connect/.test(error.message);
}
