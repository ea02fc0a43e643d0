import { createServer, type Server } from 'node:http';
import { makeTestImage } from '@avatar/telegram-emulator';

/** Serves generated images over HTTP, as fal's CDN would, for Telegram (the emulator) to fetch by URL. */
export interface ImageServer {
  url(name: string): string;
  close(): Promise<void>;
}

export async function startImageServer(): Promise<ImageServer> {
  const server: Server = createServer((request, response) => {
    const name = request.url ?? '/';
    if (!name.endsWith('.png')) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'image/png' }).end(makeTestImage({ width: 768, height: 1024, seed: name }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: (name) => `http://127.0.0.1:${address.port}/images/${name}.png`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
