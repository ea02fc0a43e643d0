import { randomBytes } from 'node:crypto';

export interface StoredFile {
  bytes: Uint8Array;
  contentType: string;
}

export interface UploadTarget {
  uploadUrl: string;
  fileUrl: string;
}

/** fal's CDN stand-in: uploaded archives and produced LoRAs, configs and images, served by URL. */
export class FileStore {
  readonly #baseUrl: string;
  readonly #files = new Map<string, StoredFile>();
  readonly #pendingUploads = new Map<string, { path: string; contentType: string }>();

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  add(fileName: string, bytes: Uint8Array, contentType: string): string {
    const path = newFilePath(fileName);
    this.#files.set(path, { bytes, contentType });
    return this.#baseUrl + path;
  }

  /** The two URLs of `storage/upload/initiate`: where to PUT the bytes, and where they will be. */
  initiateUpload(fileName: string, contentType: string): UploadTarget {
    const token = randomBytes(16).toString('hex');
    const path = newFilePath(fileName);
    this.#pendingUploads.set(token, { path, contentType });
    return { uploadUrl: `${this.#baseUrl}/storage/upload/${token}`, fileUrl: this.#baseUrl + path };
  }

  completeUpload(token: string, bytes: Uint8Array): boolean {
    const pending = this.#pendingUploads.get(token);
    if (pending === undefined) return false;
    this.#pendingUploads.delete(token);
    this.#files.set(pending.path, { bytes, contentType: pending.contentType });
    return true;
  }

  get(path: string): StoredFile | undefined {
    return this.#files.get(path);
  }

  /** Whether a URL points into this store; `get` then says whether the file exists. */
  pathOf(url: string): string | null {
    if (!url.startsWith(`${this.#baseUrl}/files/`)) return null;
    return new URL(url).pathname;
  }
}

function newFilePath(fileName: string): string {
  return `/files/${randomBytes(12).toString('hex')}/${encodeURIComponent(fileName)}`;
}
