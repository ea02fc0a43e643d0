import { randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import type { PhotoSize } from '@grammyjs/types';

export type FileKind = 'photo' | 'document';

/** A file Telegram knows: anything a user or the bot has sent. */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: FileKind;
  bytes: Uint8Array;
  /** The extension of the download path, e.g. `jpg`. */
  extension: string;
  fileName?: string;
  mimeType?: string;
  width?: number;
  height?: number;
  /** For a photo file: every size of the photo it belongs to, smallest first. */
  photoSizes?: PhotoSize[];
}

export interface NewFile {
  kind: FileKind;
  bytes: Uint8Array;
  extension: string;
  fileUniqueId?: string;
  fileName?: string;
  mimeType?: string;
  width?: number;
  height?: number;
}

/** Bots may download files of at most 20 MB. */
export const maxDownloadBytes = 20 * 1024 * 1024;

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Telegram-looking opaque ids: `file_id` says what the file is, `file_unique_id` is short and stable. */
const fileIdPrefix: Record<FileKind, string> = { photo: 'AgACAgIAAxkBAAI', document: 'BQACAgIAAxkBAAI' };

const newFileUniqueId = () => `AQAD${token(9)}`;

export class FileStore {
  private readonly byFileId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private readonly paths = new Map<string, string>();

  add(file: NewFile): StoredFile {
    const stored: StoredFile = {
      ...file,
      fileId: `${fileIdPrefix[file.kind]}${token(30)}`,
      fileUniqueId: file.fileUniqueId ?? newFileUniqueId(),
    };
    this.byFileId.set(stored.fileId, stored);
    return stored;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byFileId.get(fileId);
  }

  /** The download path `getFile` hands out; a file can be downloaded only once it has one. */
  pathOf(file: StoredFile): string {
    const existing = this.paths.get(file.fileId);
    if (existing !== undefined) return existing;
    const path = `${file.kind === 'photo' ? 'photos' : 'documents'}/file_${this.paths.size}.${file.extension}`;
    this.paths.set(file.fileId, path);
    this.byPath.set(path, file);
    return path;
  }

  atPath(path: string): StoredFile | undefined {
    return this.byPath.get(path);
  }
}

/** The extension of a file name, lower-cased and without the dot (`dat` when there is none). */
export function extensionOf(fileName: string | undefined): string {
  const extension = extname(fileName ?? '').slice(1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(extension) ? extension : 'dat';
}

const mimeTypes: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  heic: 'image/heic', pdf: 'application/pdf', txt: 'text/plain', zip: 'application/zip', mp4: 'video/mp4',
};

/** Telegram derives a document's MIME type from its file name. */
export function mimeTypeOf(fileName: string | undefined): string | undefined {
  return mimeTypes[extensionOf(fileName)];
}
