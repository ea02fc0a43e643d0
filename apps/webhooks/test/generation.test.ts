import * as assert from 'uvu/assert';
import { waitFor } from '@avatar/fal-emulator/testing';
import type { AspectRatio } from '@avatar/machine';
import { findGeneration, loadAvatar, requestGeneration, type GenerationView } from '@avatar/store';
import { fundWallet } from '@avatar/store/testing';
import {
  avatarState,
  eventsOf,
  finishJob,
  jobsOf,
  patience,
  readyAvatar,
  requestTraining,
  submittedRequestId,
  user,
  waitForStatus,
  worldSuites,
  type World,
} from './support.js';

async function completedAvatar(world: World): Promise<string> {
  const avatarId = await readyAvatar(world);
  await requestTraining(world.store, avatarId, 'a1');
  await finishJob(world.fal, await submittedRequestId(world.store, avatarId, 'a1'));
  await waitForStatus(world.store, avatarId, 'completed');
  return avatarId;
}

async function generate(world: World, avatarId: string, order: { prompt: string; aspectRatio: AspectRatio; numImages: number }): Promise<string> {
  const generationId = crypto.randomUUID();
  await fundWallet(world.store, (await loadAvatar(world.store, avatarId))!.state!.context.ownerId);
  const result = await requestGeneration(world.store, avatarId, { generationId, ...order }, 5 * order.numImages, { actor: user });
  if (result.outcome !== 'accepted') throw new Error(`the generation was not accepted: ${JSON.stringify(result)}`);
  return generationId;
}

function finished(world: World, generationId: string): Promise<GenerationView> {
  return waitFor(
    `generation ${generationId} to finish`,
    async () => {
      const view = await findGeneration(world.store.db, generationId);
      return view !== undefined && (view.images.length > 0 || view.failureReason !== null) && view;
    },
    patience,
  );
}

worldSuites('generating images on fal', { submitTimeoutMs: 1_500 }, (test) => {
  let avatarId = '';
  test.before(async ({ world }) => {
    avatarId = await completedAvatar(world);
  });

  test('3:4 is generated as portrait_4_3 with the avatar\'s LoRA and trigger phrase; the seed is kept exactly', async ({ world }) => {
    const { store, fal } = world;
    const avatar = (await avatarState(store, avatarId)).context;
    fal.queueSeeds(2n ** 62n + 12_345n);
    const generationId = await generate(world, avatarId, { prompt: 'in a red coat on a snowy street', aspectRatio: '3:4', numImages: 2 });

    const generation = await finished(world, generationId);
    assert.is(generation.seed, '4611686018427400249');
    assert.equal(generation.images.map(({ width, height }) => [width, height]), [[768, 1024], [768, 1024]]);
    const job = fal.job(generation.falRequestId ?? '');
    assert.is(job.endpoint, 'fal-ai/flux-lora');
    assert.equal(job.input, {
      ...(job.input as object),
      prompt: `${avatar.triggerPhrase}, in a red coat on a snowy street`,
      image_size: 'portrait_4_3',
      num_images: 2,
      loras: [{ path: avatar.lora?.loraUrl, scale: 1 }],
    });
    assert.equal((await eventsOf(store, generationId)).map((event) => event.type), ['GenerationRequested', 'GenerationSubmitted', 'GenerationCompleted']);
  });

  test('a model error fails the generation with fal\'s reason', async ({ world }) => {
    world.fal.failJob({ detail: 'The prompt was flagged by the safety checker' });
    const generationId = await generate(world, avatarId, { prompt: 'something', aspectRatio: '1:1', numImages: 1 });
    const generation = await finished(world, generationId);
    assert.is(generation.failureReason, 'The prompt was flagged by the safety checker');
    assert.equal(generation.images, []);
  });

  test('a generation whose submit answer is lost is recovered through the webhook\'s hint, with one job', async ({ world }) => {
    const { fal } = world;
    fal.hangNextSubmit();
    const generationId = await generate(world, avatarId, { prompt: 'at the seaside', aspectRatio: '16:9', numImages: 1 });
    const generation = await finished(world, generationId);
    assert.equal(generation.images.map(({ width, height }) => [width, height]), [[1024, 576]]);
    assert.equal(jobsOf(fal, generationId, generationId).map((job) => job.requestId), [generation.falRequestId]);
    const submitted = (await eventsOf(world.store, generationId)).find((event) => event.type === 'GenerationSubmitted');
    assert.equal(submitted?.metadata.actor, { kind: 'fal', requestId: generation.falRequestId });
  });
});
