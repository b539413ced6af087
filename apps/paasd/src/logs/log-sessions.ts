import { randomBytes } from 'node:crypto';

import type { LogFilter } from '@paas/logs';

/** How long a log session's URL can be opened: enough for a CLI or a page to connect. */
export const LOG_SESSION_TTL_MS = 5 * 60_000;

export interface LogSession {
  readonly app: string;
  readonly lines: number;
  readonly tail: boolean;
  readonly filter: LogFilter;
  /** The token that asked for it: its stream ends when that token is revoked or expires. */
  readonly token: { readonly id: string; readonly expiresAt: string | null; readonly userId: string };
  readonly expiresAt: number;
}

export interface LogSessions {
  /** A single-use, unguessable id: the websocket is opened with it, since browsers cannot send an Authorization header there. */
  create(session: Omit<LogSession, 'expiresAt'>): { id: string; expiresAt: Date };
  /** The session, if it exists and has not expired; it cannot be taken twice. */
  take(id: string): LogSession | undefined;
  peek(id: string): LogSession | undefined;
}

export function createLogSessions(now: () => number = Date.now): LogSessions {
  const sessions = new Map<string, LogSession>();
  const sweep = (): void => {
    for (const [id, session] of sessions) if (session.expiresAt <= now()) sessions.delete(id);
  };
  const peek = (id: string): LogSession | undefined => {
    const session = sessions.get(id);
    return session && session.expiresAt > now() ? session : undefined;
  };
  return {
    create(session) {
      sweep();
      const id = randomBytes(24).toString('base64url');
      const expiresAt = now() + LOG_SESSION_TTL_MS;
      sessions.set(id, { ...session, expiresAt });
      return { id, expiresAt: new Date(expiresAt) };
    },
    take(id) {
      const session = peek(id);
      sessions.delete(id);
      return session;
    },
    peek,
  };
}
