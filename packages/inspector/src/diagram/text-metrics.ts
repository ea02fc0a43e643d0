/**
 * Text widths for layout without a browser: a per-character estimate for the sans-serif faces the
 * page asks for (Arial metrics). It errs wide, so a label never overflows its box.
 */
const narrow = new Set([...'iIjlt.,:;|!()[]\' ']);
const wide = new Set([...'mwMW@']);

export function textWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const char of text) {
    if (narrow.has(char)) ems += 0.3;
    else if (wide.has(char)) ems += 0.85;
    else if (char >= 'A' && char <= 'Z') ems += 0.68;
    else ems += 0.57;
  }
  return Math.ceil(ems * fontSize);
}
