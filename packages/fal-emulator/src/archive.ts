import { unzipSync } from 'fflate';

const imageName = /\.(jpe?g|png|webp)$/i;

/** How many non-empty images a training archive holds, or null when it is not a zip at all. */
export function countArchiveImages(archive: Uint8Array): number | null {
  try {
    const entries = unzipSync(archive, {
      filter: (file) => imageName.test(file.name) && !file.name.startsWith('__MACOSX/'),
    });
    return Object.values(entries).filter((bytes) => bytes.length > 0).length;
  } catch {
    return null;
  }
}
