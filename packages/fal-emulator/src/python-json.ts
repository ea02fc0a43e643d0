/**
 * JSON as fal's Python services write it: `json.dumps(value, sort_keys=True)` with its defaults
 * (`", "` and `": "` separators, `ensure_ascii`, Python's float repr). Receivers must hash the raw
 * bytes they got, so the emulator has to produce exactly these bytes, not `JSON.stringify`'s.
 *
 * Integers are JS integers or bigints (a generation seed can exceed 2^53); any other number is a
 * Python float.
 */
export type PyJson =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly PyJson[]
  | { readonly [key: string]: PyJson | undefined };

export function pythonJsonDumps(value: PyJson): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isInteger(value) ? BigInt(value).toString() : pythonFloat(value);
    case 'string':
      return pythonString(value);
  }
  if (isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const members = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort()
    .map((key) => `${pythonString(key)}: ${pythonJsonDumps(value[key] ?? null)}`);
  return `{${members.join(', ')}}`;
}

function isArray(value: PyJson): value is readonly PyJson[] {
  return Array.isArray(value);
}

/** `repr(float)`: shortest round-trip digits, exponent form when the point is far from them. */
function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`fal never sends ${value}`);
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  const pointAt = exponent + 1;
  if (pointAt > -4 && pointAt <= 16) {
    if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
    if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
    return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** `ensure_ascii`: everything outside printable ASCII becomes `\uxxxx` (UTF-16 units, lowercase). */
function pythonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    const code = text.charCodeAt(i);
    const short = shortEscapes[char];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
