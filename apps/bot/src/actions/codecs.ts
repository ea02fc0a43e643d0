/**
 * How one parameter of an action travels in callback_data. Encoded values never contain ":",
 * the separator between parameters.
 */
export interface Codec<T> {
  encode(value: T): string;
  /** undefined when the text is not something this codec wrote. */
  decode(text: string): T | undefined;
}

const lowercaseUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const urlSafe = /^[\w-]+$/;

/**
 * Stream ids (avatars, generations). A UUID packs into 22 base64url characters, so two of them and
 * an action code still fit Telegram's 64 bytes; any other URL-safe id travels as `~id`.
 */
export const streamIdCodec: Codec<string> = {
  encode(id) {
    if (lowercaseUuid.test(id)) return Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
    if (urlSafe.test(id)) return `~${id}`;
    throw new RangeError(`the id "${id}" cannot travel in callback data`);
  },
  decode(text) {
    if (text.startsWith('~')) return urlSafe.test(text.slice(1)) ? text.slice(1) : undefined;
    if (!/^[\w-]{22}$/.test(text)) return undefined;
    const hex = Buffer.from(text, 'base64url').toString('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    // Only the canonical spelling decodes, so one id has exactly one callback_data.
    return lowercaseUuid.test(id) && this.encode(id) === text ? id : undefined;
  },
};

/** One of a closed list of values (gender, trainer, aspect ratio), as its position. */
export function choiceCodec<const T extends string>(values: readonly T[]): Codec<T> {
  if (values.length > 36) throw new RangeError('a choice codec holds at most 36 values');
  return {
    encode(value) {
      const index = values.indexOf(value);
      if (index < 0) throw new RangeError(`"${value}" is not one of ${values.join(', ')}`);
      return index.toString(36);
    },
    decode(text) {
      return /^[0-9a-z]$/.test(text) ? values[parseInt(text, 36)] : undefined;
    },
  };
}

/** A small non-negative integer (an attempt count), in base 36. */
export const countCodec: Codec<number> = {
  encode(value) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a count must be a non-negative integer, got ${value}`);
    return value.toString(36);
  },
  decode(text) {
    if (!/^[0-9a-z]{1,6}$/.test(text)) return undefined;
    return parseInt(text, 36);
  },
};

/** A photo of an avatar, by the first 12 hex digits of its SHA-256 (unique per avatar: the machine refuses duplicates). */
export const photoRefCodec: Codec<string> = {
  encode(sha256) {
    if (!/^[0-9a-f]{12,}$/.test(sha256)) throw new RangeError('a photo is referred to by its SHA-256');
    return sha256.slice(0, 12);
  },
  decode(text) {
    return /^[0-9a-f]{12}$/.test(text) ? text : undefined;
  },
};

/** A top-up package by its configured id (a-z, 0-9, _ and -, at most 16 characters). */
export const packageIdCodec: Codec<string> = {
  encode(id) {
    if (!/^[a-z0-9_-]{1,16}$/.test(id)) throw new RangeError(`"${id}" is not a package id`);
    return id;
  },
  decode(text) {
    return /^[a-z0-9_-]{1,16}$/.test(text) ? text : undefined;
  },
};
