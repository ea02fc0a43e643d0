import { z } from 'zod';
import { InvalidInputError } from './errors.js';

/** Stream ids as the event format allows them: 1 to 128 characters, no control characters. */
function streamId(what: 'avatar' | 'wallet') {
  const article = what === 'avatar' ? 'an' : 'a';
  return z
    .string()
    .min(1, `the ${what} id is empty`)
    .max(128, `${article} ${what} id has at most 128 characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `the ${what} id contains control characters`);
}

const avatarId = streamId('avatar');

/** A whole number written in decimal digits, as it arrives in a path or a query string. */
function count(what: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/, `${what} must be a whole number written in digits`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${what} must be between ${min} and ${max}`);
}

export const avatarParams = z.object({ avatarId });
export const walletParams = z.object({ walletId: streamId('wallet') });
export const versionParams = z.object({ avatarId, version: count('the version', 1, Number.MAX_SAFE_INTEGER) });
export const searchQuery = z.object({
  q: z.string().max(200, 'the search text has at most 200 characters').default(''),
  limit: count('limit', 1, 200).default(50),
});

/** Parses request input or answers 400 with what was wrong, field by field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new InvalidInputError(issues.join('; '));
}
