import type { FastifyInstance } from 'fastify';

import { formatLogLine } from '../app-log-buffer.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/** The app's recent log lines as text (`paas logs`); the live stream comes with the log router. */
export function registerLogRoutes(app: FastifyInstance, { store, appLogs }: RouteContext): void {
  app.get<{ Params: { app: string }; Querystring: { lines?: string; ps?: string; source?: string } }>(
    '/apps/:app/logs',
    {
      schema: {
        params: appParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lines: { type: 'string', pattern: '^[0-9]{1,4}$' },
            ps: { type: 'string', maxLength: 64 },
            source: { type: 'string', enum: ['app', 'paas'] },
          },
        },
      },
    },
    async (request, reply) => {
      const name = store.apps.require(request.params.app).name;
      const { ps, source } = request.query;
      const events = appLogs
        .tail(name, 1500)
        .filter((event) => (source === undefined || event.source === source) && (ps === undefined || event.process === ps || event.process.split('.')[0] === ps));
      const lines = events.slice(-Number(request.query.lines ?? 100)).map(formatLogLine);
      return reply.type('text/plain; charset=utf-8').send(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    },
  );
}
