import { z } from 'zod';
import { defineApp, type RunContext } from './apps.js';
import { modelError, type JobOutcome } from './outcomes.js';
import { solidPng, type Rgb } from './png.js';

/** fal's `image_size` presets, width × height. */
export const imageSizePresets = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
} as const satisfies Record<string, readonly [number, number]>;

type Preset = keyof typeof imageSizePresets;
const presetNames = Object.keys(imageSizePresets) as [Preset, ...Preset[]];
const side = z.number().int().min(1).max(14_142);

const fluxLoraInput = z.object({
  prompt: z.string(),
  loras: z.array(z.object({ path: z.string(), scale: z.number().optional() })).optional(),
  image_size: z.union([z.enum(presetNames), z.object({ width: side, height: side })]).optional(),
  num_images: z.number().int().min(1).max(4).optional(),
  num_inference_steps: z.number().int().min(1).max(50).optional(),
  guidance_scale: z.number().min(0).max(35).optional(),
  seed: z.number().int().nullish(),
  enable_safety_checker: z.boolean().optional(),
  output_format: z.enum(['jpeg', 'png']).optional(),
  sync_mode: z.boolean().optional(),
});

type FluxLoraInput = z.infer<typeof fluxLoraInput>;

export const fluxLora = defineApp('fal-ai/flux-lora', 'generation', fluxLoraInput, generate);

/** Images are always PNGs (one colour each, derived from the seed), whatever `output_format` says. */
async function generate(input: FluxLoraInput, { files, nextSeed }: RunContext): Promise<JobOutcome> {
  for (const [index, lora] of (input.loras ?? []).entries()) {
    // Only LoRAs on this emulator can be checked: it has no internet.
    const path = files.pathOf(lora.path);
    if (path !== null && files.get(path) === undefined) {
      return modelError(422, [
        { loc: ['body', 'loras', index, 'path'], msg: `Could not download the LoRA weights at ${lora.path}`, type: 'file_download_error' },
      ]);
    }
  }
  const size = input.image_size ?? 'landscape_4_3';
  const [width, height] = typeof size === 'string' ? imageSizePresets[size] : [size.width, size.height];
  const seed = input.seed === undefined || input.seed === null ? nextSeed() : BigInt(input.seed);
  const images = Array.from({ length: input.num_images ?? 1 }, (_, index) => ({
    url: files.add(`${index}.png`, solidPng(width, height, colourOf(seed, index)), 'image/png'),
    width,
    height,
    content_type: 'image/png',
  }));
  return {
    kind: 'succeeded',
    output: {
      images,
      timings: { inference: 0.5 + Math.random() },
      seed,
      has_nsfw_concepts: images.map(() => false),
      prompt: input.prompt,
    },
  };
}

function colourOf(seed: bigint, index: number): Rgb {
  const mixed = (seed + BigInt(index) * 0x9e3779b97f4a7c15n) & 0xffffffn;
  return [Number(mixed >> 16n), Number((mixed >> 8n) & 0xffn), Number(mixed & 0xffn)];
}
