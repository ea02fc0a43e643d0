import { z } from 'zod';

export interface FalImage {
  url: string;
  width: number;
  height: number;
  contentType: string | null;
}

export type FalOutput =
  | { kind: 'training'; loraUrl: string; configUrl: string }
  /** `seed` is the exact decimal string: fal's seeds exceed 2^53. */
  | { kind: 'generation'; images: FalImage[]; seed: string; hasNsfwConcepts: boolean[] };

/** How a fal request ended, from its webhook or its result. */
export type FalOutcome =
  | { kind: 'succeeded'; output: FalOutput }
  /** The model refused or failed; `httpStatus` is its status code when fal says it. */
  | { kind: 'model_error'; httpStatus: number | null; reason: string }
  /** The request ran but fal could not put its output in the webhook (`payload_error`); `result` may still have it. */
  | { kind: 'output_unavailable'; reason: string };

/** fal's `File`: only `url` is reliable, the rest may be null. */
const file = z.object({
  url: z.url(),
  content_type: z.string().nullish(),
  file_name: z.string().nullish(),
  file_size: z.number().nullish(),
});

const trainingOutput = z.object({ diffusers_lora_file: file, config_file: file });

const generationOutput = z.object({
  images: z
    .array(
      z.object({
        url: z.url(),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        content_type: z.string().nullish(),
      }),
    )
    .min(1),
  // A number only when it fits a double exactly; larger ones arrive as strings (see exact-json.ts).
  seed: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String),
  has_nsfw_concepts: z.array(z.boolean()).optional(),
});

export type OutputParse = { ok: true; output: FalOutput } | { ok: false; error: string };

/** A successful payload of one of our endpoints: a trainer's files or flux-lora's images. */
export function parseOutput(payload: unknown): OutputParse {
  if (isObjectWith(payload, 'diffusers_lora_file')) {
    const parsed = trainingOutput.safeParse(payload);
    if (!parsed.success) return { ok: false, error: `training output: ${describeIssues(parsed.error)}` };
    const { diffusers_lora_file: lora, config_file: config } = parsed.data;
    return { ok: true, output: { kind: 'training', loraUrl: lora.url, configUrl: config.url } };
  }
  if (isObjectWith(payload, 'images')) {
    const parsed = generationOutput.safeParse(payload);
    if (!parsed.success) return { ok: false, error: `generation output: ${describeIssues(parsed.error)}` };
    const { images, seed, has_nsfw_concepts: hasNsfwConcepts = [] } = parsed.data;
    return {
      ok: true,
      output: {
        kind: 'generation',
        images: images.map(({ url, width, height, content_type: contentType }) => ({
          url,
          width,
          height,
          contentType: contentType ?? null,
        })),
        seed,
        hasNsfwConcepts,
      },
    };
  }
  return { ok: false, error: 'the output is neither a training nor a generation output' };
}

const errorBody = z.object({
  detail: z.union([
    z.string(),
    z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })),
  ]),
});

/**
 * A person-readable reason from a fal error body: `detail` as a string, or each entry of a
 * `detail` array as "field: message" (fal's `loc` starts with "body", which says nothing).
 */
export function readableReason(body: unknown, fallback: string): string {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return fallback;
  const { detail } = parsed.data;
  if (typeof detail === 'string') return detail;
  const reasons = detail.map(({ loc = [], msg }) => {
    const field = loc.filter((part) => part !== 'body').join('.');
    return field === '' ? msg : `${field}: ${msg}`;
  });
  return reasons.length > 0 ? reasons.join('; ') : fallback;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

function isObjectWith(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value;
}
