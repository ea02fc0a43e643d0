import { PassThrough } from 'node:stream';
import { exportEvents, readStream, searchAvatars, type Store } from '@avatar/store';
import type { FastifyPluginAsync } from 'fastify';
import type { AvatarReport, AvatarStateAt, SearchResponse, WalletReport } from '../api-types.js';
import { avatarReport, toSummary } from '../avatar-report.js';
import type { MachineGraph } from '../diagram/machine-graph.js';
import { NotFoundError } from '../errors.js';
import { avatarParams, parseInput, searchQuery, versionParams, walletParams } from '../inputs.js';
import { avatarStateAt } from '../state-at.js';
import { findWallets, walletReport } from '../wallet-report.js';

interface ApiOptions {
  store: Store;
  graph: MachineGraph;
}

/** A file name for the download that no avatar id can turn into a header injection. */
function exportFileName(avatarId: string): string {
  return `avatar-${avatarId.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`;
}

export const apiRoutes: FastifyPluginAsync<ApiOptions> = async (app, { store, graph }) => {
  app.get('/api/avatars', async (request): Promise<SearchResponse> => {
    const { q, limit } = parseInput(searchQuery, request.query);
    const [avatars, wallets] = await Promise.all([searchAvatars(store.db, { query: q, limit }), findWallets(store, q)]);
    return { query: q, avatars: avatars.map(toSummary), wallets };
  });

  app.get('/api/wallets/:walletId', async (request): Promise<WalletReport> => {
    const { walletId } = parseInput(walletParams, request.params);
    return walletReport(store, walletId);
  });

  app.get('/api/avatars/:avatarId', async (request): Promise<AvatarReport> => {
    const { avatarId } = parseInput(avatarParams, request.params);
    return avatarReport(store, avatarId);
  });

  app.get('/api/avatars/:avatarId/versions/:version', async (request): Promise<AvatarStateAt> => {
    const { avatarId, version } = parseInput(versionParams, request.params);
    return avatarStateAt(store, graph, avatarId, version);
  });

  app.get('/api/avatars/:avatarId/events.ndjson', async (request, reply) => {
    const { avatarId } = parseInput(avatarParams, request.params);
    const [first] = await readStream(store.db, avatarId, { toVersion: 1 });
    if (first === undefined) throw new NotFoundError(`no avatar has the id ${avatarId}`);
    const body = new PassThrough();
    exportEvents(store, body, { streamId: avatarId }).then(
      () => body.end(),
      (error: unknown) => {
        request.log.error({ err: error, avatarId }, 'inspector export failed');
        // Cut the response short, so the download fails instead of ending as if complete.
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportFileName(avatarId)}"`)
      .send(body);
  });
};
