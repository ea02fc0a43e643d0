import { zipSync } from 'fflate';

export interface ArchivePhoto {
  /** A plain file name, e.g. `photo-01.jpg`; the trainers look at the extension. */
  name: string;
  bytes: Uint8Array;
}

/** The zip fal's trainers download from `images_data_url`. */
export function buildPhotoArchive(photos: readonly ArchivePhoto[]): Uint8Array {
  const entries = new Map<string, Uint8Array>();
  for (const { name, bytes } of photos) {
    if (!/^[^/\\]+$/.test(name)) throw new RangeError(`photo name "${name}" must be a plain file name`);
    if (entries.has(name)) throw new RangeError(`two photos are named "${name}"`);
    entries.set(name, bytes);
  }
  // JPEG, PNG and WEBP are compressed already: storing them is as small and much faster.
  return zipSync(Object.fromEntries(entries), { level: 0 });
}
