import { createHash } from 'node:crypto';

/**
 * A UUID derived from its parts (name-based, like UUID v5 but over SHA-256): the same input always
 * gives the same id, so a redelivered update or a double tap appends its event once.
 */
export function derivedUuid(...parts: readonly (string | number)[]): string {
  const bytes = createHash('sha256').update(parts.map(String).join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
