import type {
  FluxLoraFastTrainingInput,
  FluxLoraInput,
  FluxLoraPortraitTrainerInput,
} from '@fal-ai/client/endpoints';
import { imageSizeFor, type AspectRatio, type Trainer } from '@avatar/machine';

export const trainingEndpoints = {
  portrait: 'fal-ai/flux-lora-portrait-trainer',
  fast: 'fal-ai/flux-lora-fast-training',
} as const satisfies Record<Trainer, string>;

export type TrainingEndpoint = (typeof trainingEndpoints)[Trainer];
export const generationEndpoint = 'fal-ai/flux-lora';

export function endpointFor(trainer: Trainer): TrainingEndpoint {
  return trainingEndpoints[trainer];
}

export interface TrainingRequest {
  trainer: Trainer;
  /** Where fal downloads the photo zip (see `uploadFile`). */
  archiveUrl: string;
  triggerPhrase: string;
  steps: number;
  webhookUrl: string;
}

export interface GenerationRequest {
  loraUrl: string;
  triggerPhrase: string;
  prompt: string;
  aspectRatio: AspectRatio;
  /** 1 to 4. */
  numImages: number;
  webhookUrl: string;
}

export function portraitTrainingInput(request: TrainingRequest): FluxLoraPortraitTrainerInput {
  return {
    images_data_url: request.archiveUrl,
    trigger_phrase: request.triggerPhrase,
    steps: request.steps,
    learning_rate: 0.00009,
    multiresolution_training: true,
    subject_crop: true,
    create_masks: false,
  };
}

export function fastTrainingInput(request: TrainingRequest): FluxLoraFastTrainingInput {
  return {
    images_data_url: request.archiveUrl,
    trigger_word: request.triggerPhrase,
    steps: request.steps,
    create_masks: true,
    is_style: false,
  };
}

/**
 * The prompt fal receives: the trigger phrase the LoRA was trained with, verbatim and first (where
 * it weighs most), then the user's words.
 */
export function promptWithTrigger(triggerPhrase: string, prompt: string): string {
  return `${triggerPhrase}, ${prompt}`;
}

export function generationInput(request: GenerationRequest): FluxLoraInput {
  if (!Number.isInteger(request.numImages) || request.numImages < 1 || request.numImages > 4) {
    throw new RangeError(`numImages must be 1 to 4, not ${request.numImages}`);
  }
  return {
    prompt: promptWithTrigger(request.triggerPhrase, request.prompt),
    loras: [{ path: request.loraUrl, scale: 1 }],
    image_size: imageSizeFor[request.aspectRatio],
    num_images: request.numImages,
    num_inference_steps: 28,
    guidance_scale: 3.5,
    enable_safety_checker: true,
    // Lossless: Telegram recompresses what it is sent anyway.
    output_format: 'png',
  };
}
