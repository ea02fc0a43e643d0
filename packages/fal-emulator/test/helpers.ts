import { zipSync } from 'fflate';
import type { FalEmulator } from '../src/index.js';

/** fetch against the emulator with a FAL_KEY, the way fal's client calls it. */
export function falFetch(emulator: FalEmulator, path: string, init: RequestInit = {}, key = emulator.key): Promise<Response> {
  return fetch(emulator.url + path, {
    ...init,
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json', ...init.headers },
  });
}

export function postJson(emulator: FalEmulator, path: string, body: unknown): Promise<Response> {
  return falFetch(emulator, path, { method: 'POST', body: JSON.stringify(body) });
}

/** A zip of `count` small stand-in JPEGs. */
export function photoArchive(count: number): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (let i = 1; i <= count; i++) files[`photo-${i}.jpg`] = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, i, 0xff, 0xd9]);
  return zipSync(files);
}

/** Uploads through the storage API (initiate, then PUT without Authorization); returns the file URL. */
export async function upload(emulator: FalEmulator, bytes: Uint8Array, fileName = 'photos.zip'): Promise<string> {
  const initiated = await postJson(emulator, '/rest/storage/upload/initiate?storage_type=fal-cdn-v3', {
    content_type: 'application/zip',
    file_name: fileName,
  });
  const { upload_url: uploadUrl, file_url: fileUrl } = (await initiated.json()) as { upload_url: string; file_url: string };
  const put = await fetch(uploadUrl, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/zip' } });
  if (!put.ok) throw new Error(`upload answered ${put.status}`);
  return fileUrl;
}

export async function submit(emulator: FalEmulator, endpoint: string, input: unknown, webhookUrl?: string): Promise<string> {
  const query = webhookUrl === undefined ? '' : `?fal_webhook=${encodeURIComponent(webhookUrl)}`;
  const response = await postJson(emulator, `/queue/${endpoint}${query}`, input);
  if (response.status !== 200) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { request_id: string }).request_id;
}

export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = Buffer.from(bytes);
  if (view.subarray(1, 4).toString('ascii') !== 'PNG' || view.subarray(12, 16).toString('ascii') !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}
