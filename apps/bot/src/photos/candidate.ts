import type { Message } from 'grammy/types';

/** A photo or file a user sent, as far as the update describes it (before downloading anything). */
export interface PhotoCandidate {
  kind: 'photo' | 'document';
  fileId: string;
  fileUniqueId: string;
  /** Sizes as Telegram reports them; a document's dimensions are unknown until it is read. */
  bytes: number | undefined;
  width: number | undefined;
  height: number | undefined;
}

/** The largest variant of a photo, or the document; undefined for any other message. */
export function photoCandidateOf(message: Message): PhotoCandidate | undefined {
  const largest = message.photo?.reduce((best, size) => (size.width * size.height > best.width * best.height ? size : best));
  if (largest !== undefined) {
    return {
      kind: 'photo',
      fileId: largest.file_id,
      fileUniqueId: largest.file_unique_id,
      bytes: largest.file_size,
      width: largest.width,
      height: largest.height,
    };
  }
  const document = message.document;
  if (document !== undefined) {
    return {
      kind: 'document',
      fileId: document.file_id,
      fileUniqueId: document.file_unique_id,
      bytes: document.file_size,
      width: undefined,
      height: undefined,
    };
  }
  return undefined;
}
