import type { Store } from '@avatar/store';
import { z } from 'zod';

export interface InspectorOptions {
  /** The service's store; the inspector only reads from it. */
  store: Store;
  /** The shared secret every request must present (the app passes INSPECTOR_TOKEN). */
  token: string;
}

const optionsSchema = z.object({
  store: z.custom<Store>((value) => typeof value === 'object' && value !== null && 'db' in value, 'store must be an open @avatar/store Store'),
  token: z
    .string({ error: 'token is required (the app passes INSPECTOR_TOKEN)' })
    .min(16, 'token must be at least 16 characters long, or anyone could guess it')
    .refine((s) => !/\s/.test(s), 'token must not contain whitespace'),
});

/** Checks what the app registers the plugin with, so a misconfiguration fails at start-up. */
export function parseOptions(options: unknown): InspectorOptions {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new Error(`@avatar/inspector: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
}
