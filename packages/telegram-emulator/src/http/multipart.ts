/** A file part of a multipart/form-data body. */
export interface Upload {
  fileName: string | undefined;
  contentType: string | undefined;
  bytes: Uint8Array;
}

export interface MultipartBody {
  fields: Record<string, string>;
  uploads: Map<string, Upload>;
}

/**
 * A small multipart/form-data reader. grammY writes part headers as
 * `content-disposition:form-data;name="x";filename=photo.jpg` (no spaces, unquoted filename),
 * which Node's built-in `Request.formData()` rejects, while Telegram accepts it.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const fields: Record<string, string> = {};
  const uploads = new Map<string, Upload>();
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const partStart = position + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part sits between "<delimiter>\r\n" and "\r\n<next delimiter>".
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) addPart(part.subarray(0, headerEnd).toString('utf8'), part.subarray(headerEnd + 4), fields, uploads);
    position = next;
  }
  return { fields, uploads };
}

function addPart(head: string, content: Buffer, fields: Record<string, string>, uploads: Map<string, Upload>) {
  const headers = new Map(
    head.split('\r\n').map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  const disposition = parseDisposition(headers.get('content-disposition') ?? '');
  const name = disposition.get('name');
  if (name === undefined) return;
  if (disposition.has('filename')) {
    uploads.set(name, {
      fileName: disposition.get('filename'),
      contentType: headers.get('content-type'),
      bytes: new Uint8Array(content),
    });
  } else {
    fields[name] = content.toString('utf8');
  }
}

/** `form-data; name="a"; filename=b.jpg` → { name: 'a', filename: 'b.jpg' }, quoted or not. */
function parseDisposition(value: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const match of value.matchAll(/;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const [, key, quoted, bare] = match;
    if (key !== undefined) parameters.set(key.toLowerCase(), quoted?.replace(/\\(.)/g, '$1') ?? bare?.trim() ?? '');
  }
  return parameters;
}
