import { z } from 'zod';

/** The Bot API's download limit: getFile refuses larger files. */
export const maxDownloadBytes = 20 * 1024 * 1024;

export interface TelegramFilesOptions {
  token: string;
  /** Bot API root without a trailing slash: https://api.telegram.org, a self-hosted server, or the emulator. */
  apiRoot: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface DownloadedFile {
  bytes: Uint8Array;
  filePath: string;
}

export class TelegramFileError extends Error {
  constructor(
    message: string,
    /** True when asking again later may work (network, 5xx, 429); false for a refusal. */
    readonly retryable: boolean,
    /** How long Telegram asked to wait before asking again (a 429's `retry_after`), if it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'TelegramFileError';
  }
}

const getFileAnswer = z.union([
  z.object({ ok: z.literal(true), result: z.object({ file_id: z.string(), file_path: z.string().optional(), file_size: z.number().optional() }) }),
  z.object({
    ok: z.literal(false),
    error_code: z.number(),
    description: z.string(),
    parameters: z.object({ retry_after: z.number().nonnegative().optional() }).optional(),
  }),
]);

/**
 * Downloads files by Telegram file id: getFile, then `${apiRoot}/file/bot<token>/<file_path>`.
 * Written here rather than taken from @grammyjs/files, which only speaks https (so no emulator or
 * local Bot API server) and does not check status codes.
 */
export function createTelegramFiles(options: TelegramFilesOptions) {
  const { token, apiRoot } = options;
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request(url: string, what: string): Promise<Response> {
    try {
      return await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new TelegramFileError(`${what}: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  return {
    async download(fileId: string): Promise<DownloadedFile> {
      const answer = await request(`${apiRoot}/bot${token}/getFile?file_id=${encodeURIComponent(fileId)}`, 'getFile');
      const parsed = getFileAnswer.safeParse(await answer.json().catch(() => null));
      if (!parsed.success) throw new TelegramFileError(`getFile answered HTTP ${answer.status} with an unexpected body`, answer.status >= 500);
      if (!parsed.data.ok) {
        const { error_code, description, parameters } = parsed.data;
        const retryAfter = parameters?.retry_after;
        throw new TelegramFileError(
          `getFile: ${description}`,
          error_code === 429 || error_code >= 500,
          retryAfter === undefined ? null : retryAfter * 1000,
        );
      }
      const { file_path: filePath, file_size: size } = parsed.data.result;
      if (!filePath) throw new TelegramFileError('getFile gave no file_path', false);
      if (size !== undefined && size > maxDownloadBytes) throw new TelegramFileError(`file is ${size} bytes, over the 20 MB download limit`, false);
      const file = await request(`${apiRoot}/file/bot${token}/${filePath}`, 'download');
      if (!file.ok) {
        throw new TelegramFileError(`download answered HTTP ${file.status}`, file.status === 429 || file.status >= 500, retryAfterHeaderMs(file));
      }
      return { bytes: new Uint8Array(await file.arrayBuffer()), filePath };
    },
  };
}

export type TelegramFiles = ReturnType<typeof createTelegramFiles>;

/** A `Retry-After` header in seconds (the form Telegram's file server would use), in milliseconds. */
function retryAfterHeaderMs(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}
