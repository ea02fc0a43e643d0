import type { RequestMiddleware } from '@fal-ai/client';
import { quoteUnsafeIntegers } from './exact-json.js';

const emulatedHosts: Record<string, string> = {
  'queue.fal.run': '/queue',
  'fal.run': '/run',
  'rest.fal.ai': '/rest',
  'rest.alpha.fal.ai': '/rest',
};

/**
 * The client only builds fal URLs; this sends them to `baseUrl` instead (the emulator), keeping
 * path and query. Storage upload URLs come from fal's answer and are used as they are.
 */
export function redirectFalHosts(baseUrl: string): RequestMiddleware {
  const base = baseUrl.replace(/\/+$/, '');
  return async (request) => ({ ...request, url: rewriteFalUrl(request.url, base) });
}

export function rewriteFalUrl(url: string, base: string): string {
  const parsed = new URL(url);
  const prefix = emulatedHosts[parsed.host];
  return prefix === undefined ? url : `${base}${prefix}${parsed.pathname}${parsed.search}`;
}

/**
 * The fetch the client is given. Calls that bring no signal get a timeout, so none can hang for
 * ever. JSON bodies are handed over with integers beyond 2^53 as strings: the client reads them
 * with `response.json()`, which would round a generation's seed.
 */
export function falFetch(base: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const response = await base(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    if (response.body === null || !response.headers.get('content-type')?.includes('application/json')) return response;
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(quoteUnsafeIntegers(await response.text()), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
