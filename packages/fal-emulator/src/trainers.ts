import { z } from 'zod';
import { defineApp, type RunContext } from './apps.js';
import { countArchiveImages } from './archive.js';
import { modelError, type JobOutcome } from './outcomes.js';
import { pythonJsonDumps } from './python-json.js';

const steps = z.number().int().min(1).max(10_000).optional();

const portraitInput = z.object({
  images_data_url: z.string(),
  trigger_phrase: z.string().optional(),
  steps,
  learning_rate: z.number().positive().optional(),
  multiresolution_training: z.boolean().optional(),
  subject_crop: z.boolean().optional(),
  create_masks: z.boolean().optional(),
  data_archive_format: z.string().nullish(),
});

const fastInput = z.object({
  images_data_url: z.string(),
  trigger_word: z.string().optional(),
  steps,
  create_masks: z.boolean().optional(),
  is_style: z.boolean().optional(),
  data_archive_format: z.string().nullish(),
});

interface Training {
  trainer: string;
  archiveUrl: string;
  trigger: string | null;
  steps: number;
  minImages: number;
}

export const portraitTrainer = defineApp('fal-ai/flux-lora-portrait-trainer', 'training', portraitInput, (input, context) =>
  train(
    {
      trainer: 'fal-ai/flux-lora-portrait-trainer',
      archiveUrl: input.images_data_url,
      trigger: input.trigger_phrase ?? null,
      steps: input.steps ?? 2500,
      minImages: 10,
    },
    context,
  ),
);

export const fastTrainer = defineApp('fal-ai/flux-lora-fast-training', 'training', fastInput, (input, context) =>
  train(
    {
      trainer: 'fal-ai/flux-lora-fast-training',
      archiveUrl: input.images_data_url,
      trigger: input.trigger_word ?? null,
      steps: input.steps ?? 1000,
      minImages: 4,
    },
    context,
  ),
);

/** The trainers find archive problems only once they download it, so they fail the job (422). */
async function train(training: Training, { download, files }: RunContext): Promise<JobOutcome> {
  const archiveError = (msg: string, type: string) => modelError(422, [{ loc: ['body', 'images_data_url'], msg, type }]);
  const archive = await download(training.archiveUrl);
  if (archive === null) return archiveError(`Could not download the file at ${training.archiveUrl}`, 'file_download_error');
  const images = countArchiveImages(archive);
  if (images === null) return archiveError('The file is not a zip archive', 'invalid_archive');
  if (images < training.minImages) {
    return archiveError(`The archive has ${images} images; at least ${training.minImages} are required`, 'not_enough_images');
  }
  const weights = loraWeights(training.trigger);
  const config = Buffer.from(
    pythonJsonDumps({ trainer: training.trainer, trigger_phrase: training.trigger, steps: training.steps, images }),
  );
  return {
    kind: 'succeeded',
    output: {
      diffusers_lora_file: {
        url: files.add('pytorch_lora_weights.safetensors', weights, 'application/octet-stream'),
        content_type: 'application/octet-stream',
        file_name: 'pytorch_lora_weights.safetensors',
        file_size: weights.length,
      },
      config_file: {
        url: files.add('config.json', config, 'application/json'),
        content_type: 'application/json',
        file_name: 'config.json',
        file_size: config.length,
      },
    },
  };
}

/** A well-formed safetensors file with no tensors: an 8-byte header length, then the JSON header. */
function loraWeights(trigger: string | null): Buffer {
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt', trigger_phrase: trigger ?? '' } }));
  const padded = Buffer.concat([header, Buffer.alloc((8 - (header.length % 8)) % 8, ' ')]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([length, padded]);
}
