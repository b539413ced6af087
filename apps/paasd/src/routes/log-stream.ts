import type { FastifyInstance, FastifyReply } from 'fastify';

import { PaasError } from '@paas/core';
import { formatLogLine } from '@paas/logs';
import type { LogStreamMessage } from '@paas/logs';

import { ENV_TOKEN_ID } from '../auth.js';
import type { LogSession } from '../logs/log-sessions.js';
import type { RouteContext } from './context.js';

/** Proxies close idle connections; a ping (or an SSE comment) now and then keeps a quiet tail open. */
const PING_INTERVAL_MS = 25_000;

/** Heroku's log line for an event-stream reader; a gap becomes a line saying how many were missed. */
function eventStreamLine(message: LogStreamMessage): string {
  if (message.type === 'line') return formatLogLine(message);
  return `${new Date().toISOString()} paas[logs]: Error L10 (output buffer overflow): ${String(message.count)} messages dropped while this reader was behind.`;
}

/** One SSE event per line: `data:` must not carry a newline, so one never does. */
const sseEvent = (line: string): string => `data: ${line.replace(/[\r\n]+/g, ' ')}\n\n`;

/**
 * The live stream of a log session, two ways: as a websocket of JSON text frames
 * (`{"type":"line",…}` or `{"type":"missed","count":N}`; paas's CLI and the dashboard),
 * or as `text/event-stream` with one Heroku-format line per event (Heroku's CLI opens
 * `logplex_url` as an EventSource). The session id in the path is the credential: it was
 * handed out to an authenticated caller, is unguessable, single-use and short-lived.
 */
export function registerLogStreamRoute(app: FastifyInstance, { logs, logSessions, store, tokenStreams }: Pick<RouteContext, 'logs' | 'logSessions' | 'store' | 'tokenStreams'>): void {
  // A session asked for with a token revoked or expired since is as good as gone.
  const valid = (session: LogSession | undefined): LogSession | undefined => {
    if (!session) return undefined;
    const { id, expiresAt } = session.token;
    if (expiresAt !== null && Date.parse(expiresAt) <= Date.now()) return undefined;
    return id === ENV_TOKEN_ID || store.tokens.get(id) ? session : undefined;
  };
  const serveEventStream = (session: LogSession, reply: FastifyReply): void => {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    const send = (message: LogStreamMessage): void => {
      raw.write(sseEvent(eventStreamLine(message)));
    };
    for (const event of logs.recent(session.app, session.lines, session.filter)) send({ type: 'line', ...event });
    if (!session.tail) {
      raw.end();
      return;
    }
    const subscription = logs.subscribe(session.app, session.filter, { send, backlog: () => raw.writableLength });
    const ping = setInterval(() => raw.write(': ping\n\n'), PING_INTERVAL_MS);
    const release = tokenStreams.hold(session.token.id, session.token.expiresAt, () => raw.end(), { userId: session.token.userId, app: session.app });
    raw.on('close', () => {
      clearInterval(ping);
      subscription.close();
      release();
    });
  };

  app.route<{ Params: { id: string } }>({
    method: 'GET',
    url: '/log-sessions/:id',
    schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' } } } },
    // Refused before the upgrade, so a client sees a plain 404 with the usual error body.
    preValidation: async (request) => {
      if (!valid(logSessions.peek(request.params.id))) {
        throw new PaasError('not_found', 'That log session does not exist or has expired: ask for a new one with POST /apps/{app}/log-sessions.');
      }
    },
    handler: async (request, reply) => {
      const session = valid(logSessions.take(request.params.id));
      if (!session) throw new PaasError('not_found', 'That log session was taken or has expired: ask for a new one.');
      serveEventStream(session, reply);
    },
    wsHandler: (socket, request) => {
      const session = valid(logSessions.take(request.params.id));
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
      // 4401: the token that opened the stream was revoked or expired.
      const release = tokenStreams.hold(session.token.id, session.token.expiresAt, () => socket.close(4401, 'token revoked or expired, or access taken away'), { userId: session.token.userId, app: session.app });
      socket.on('close', () => {
        clearInterval(ping);
        subscription.close();
        release();
      });
      // The stream only goes out; anything a client sends is ignored.
      socket.on('message', () => undefined);
    },
  });
}
