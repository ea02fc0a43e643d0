/**
 * fal's JSON can carry integers beyond 2^53 (a generation's `seed`), which `JSON.parse` silently
 * rounds. These helpers rewrite such integer literals as strings first, so their digits survive.
 */
export function parseJsonKeepingIntegers(json: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(json)) as unknown;
}

export function quoteUnsafeIntegers(json: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < json.length) {
    const char = json.charAt(i);
    if (char === '"') {
      i = endOfString(json, i);
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const start = i;
      while (i < json.length && /[-+.eE0-9]/.test(json.charAt(i))) i++;
      const literal = json.slice(start, i);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${json.slice(copiedUpTo, start)}"${literal}"`;
        copiedUpTo = i;
      }
    } else {
      i++;
    }
  }
  return out + json.slice(copiedUpTo);
}

/** The index just past the string literal opening at `start`. */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const char = json.charAt(i);
    if (char === '\\') i += 2;
    else if (char === '"') return i + 1;
    else i++;
  }
  return i;
}
