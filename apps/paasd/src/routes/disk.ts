import type { FastifyInstance } from 'fastify';

import type { RouteContext } from './context.js';

/** What the platform's disk holds (`GET /disk`) and a collection on demand (`POST /disk/collect`). */
export function registerDiskRoutes(app: FastifyInstance, { disk }: RouteContext): void {
  app.get('/disk', async () => disk.report());
  app.post('/disk/collect', async (request) => {
    const result = await disk.collect();
    request.log.info({ freedBytes: result.freed_bytes, removed: result.removed.length }, 'disk collected on request');
    return result;
  });
}
