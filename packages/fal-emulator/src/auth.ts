export type AuthCheck = { ok: true } | { ok: false; detail: string };

/** fal's `Authorization: Key <key_id>:<key_secret>`, with its two 401 answers. */
export function authenticate(header: string | undefined, acceptedKeys: ReadonlySet<string>): AuthCheck {
  const credentials = /^Key (\S+)$/.exec(header ?? '')?.[1];
  if (credentials === undefined || !/^[^:]+:[^:]+$/.test(credentials)) {
    return { ok: false, detail: "Invalid Key Authorization header format. Expected 'Key <key_id>:<key_secret>'." };
  }
  if (!acceptedKeys.has(credentials)) return { ok: false, detail: 'No user found for Key ID and Secret' };
  return { ok: true };
}
