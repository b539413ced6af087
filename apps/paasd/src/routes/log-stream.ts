import type { FastifyInstance } from 'fastify';

import { PaasError } from '@paas/core';
import type { LogStreamMessage } from '@paas/logs';

import type { RouteContext } from './context.js';

/** Proxies close idle websockets; a ping now and then keeps a quiet tail open. */
const PING_INTERVAL_MS = 25_000;

/**
 * The live stream of a log session: JSON text frames, `{"type":"line",…}` or
 * `{"type":"missed","count":N}`. The session id in the path is the credential: it was
 * handed out to an authenticated caller, is unguessable, single-use and short-lived.
 */
export function registerLogStreamRoute(app: FastifyInstance, { logs, logSessions }: Pick<RouteContext, 'logs' | 'logSessions'>): void {
  app.get<{ Params: { id: string } }>(
    '/log-sessions/:id',
    {
      websocket: true,
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' } } } },
      // Refused before the upgrade, so a client sees a plain 404 with the usual error body.
      preValidation: async (request) => {
        if (!logSessions.peek(request.params.id)) {
          throw new PaasError('not_found', 'That log session does not exist or has expired: ask for a new one with POST /apps/{app}/log-sessions.');
        }
      },
    },
    (socket, request) => {
      const session = logSessions.take(request.params.id);
      if (!session) {
        socket.close(4404, 'log session taken or expired');
        return;
      }
      const send = (message: LogStreamMessage): void => socket.send(JSON.stringify(message));
      for (const event of logs.recent(session.app, session.lines, session.filter)) send({ type: 'line', ...event });
      if (!session.tail) {
        socket.close(1000, 'end of log');
        return;
      }
      const subscription = logs.subscribe(session.app, session.filter, { send, backlog: () => socket.bufferedAmount });
      const ping = setInterval(() => socket.ping(), PING_INTERVAL_MS);
      socket.on('close', () => {
        clearInterval(ping);
        subscription.close();
      });
      // The stream only goes out; anything a client sends is ignored.
      socket.on('message', () => undefined);
    },
  );
}
