import type { FastifyInstance } from 'fastify';

import { formatLogLine } from '@paas/logs';
import type { LogFilter } from '@paas/logs';

import type { RouteContext } from './context.js';
import { apiOrigin, appParams } from './context.js';

const MAX_LINES = 1500;

/** `--ps web` or `--ps web.1`: a process type or one process. */
const processSelector = { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,63}(\\.[0-9]{1,6})?$' } as const;

const filterOf = (query: { ps?: string | undefined; dyno?: string | undefined; source?: 'app' | 'paas' | undefined }): LogFilter => {
  const ps = query.ps ?? query.dyno;
  return { ...(ps !== undefined ? { ps } : {}), ...(query.source !== undefined ? { source: query.source } : {}) };
};

/** `paas logs`: the app's kept lines as text; `paas logs --tail` and the dashboard: a log session. */
export function registerLogRoutes(app: FastifyInstance, { store, logs, logSessions }: RouteContext): void {
  app.get<{ Params: { app: string }; Querystring: { lines?: string; ps?: string; source?: 'app' | 'paas' } }>(
    '/apps/:app/logs',
    {
      schema: {
        params: appParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { lines: { type: 'string', pattern: '^[0-9]{1,4}$' }, ps: processSelector, source: { type: 'string', enum: ['app', 'paas'] } },
        },
      },
    },
    async (request, reply) => {
      const name = store.apps.require(request.params.app).name;
      const lines = logs.recent(name, Math.min(Number(request.query.lines ?? 100), MAX_LINES), filterOf(request.query)).map(formatLogLine);
      return reply.type('text/plain; charset=utf-8').send(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    },
  );

  // Heroku's log sessions: the answer names a URL to open the stream on.
  app.post<{ Params: { app: string }; Body: { lines?: number; tail?: boolean; dyno?: string; source?: 'app' | 'paas' | 'heroku' } }>(
    '/apps/:app/log-sessions',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lines: { type: 'integer', minimum: 0, maximum: MAX_LINES },
            tail: { type: 'boolean' },
            dyno: processSelector,
            // `heroku` is Heroku's name for the platform's own lines (`heroku logs --source heroku`).
            source: { type: 'string', enum: ['app', 'paas', 'heroku'] },
          },
        },
      },
    },
    async (request, reply) => {
      const name = store.apps.require(request.params.app).name;
      const body = request.body ?? {};
      const source = body.source === 'heroku' ? 'paas' : body.source;
      const { id, expiresAt } = logSessions.create({ app: name, token: { id: request.actor.tokenId, expiresAt: request.actor.expiresAt, userId: request.actor.userId }, lines: body.lines ?? 100, tail: body.tail ?? true, filter: filterOf({ ...body, source }) });
      // Absolute, as Heroku's: its CLI opens it as is (an EventSource); paas's as a websocket.
      const logplexUrl = `${apiOrigin(request)}/log-sessions/${id}`;
      return reply.status(201).send({ id, logplex_url: logplexUrl, created_at: new Date().toISOString(), expires_at: expiresAt.toISOString() });
    },
  );
}
