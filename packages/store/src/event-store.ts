import type { Db } from './database.js';
import { now } from './database.js';

/** One line of the audit log. `data` never holds config values or secrets. */
export interface EventRecord {
  readonly id: number;
  readonly appName: string | null;
  readonly actor: string;
  readonly action: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

interface EventRow {
  id: number;
  app_name: string | null;
  actor: string;
  action: string;
  data: string;
  created_at: string;
}

export interface EventStore {
  record(appName: string | null, actor: string, action: string, data?: Record<string, unknown>): void;
  list(options?: { appName?: string; limit?: number; beforeId?: number }): EventRecord[];
}

/** Told of each audit event once it is committed; paasd turns them into `paas[api]` log lines. */
export type EventListener = (event: EventRecord) => void;

export function createEventStore(db: Db, onEvent?: EventListener): EventStore {
  const insert = db.prepare(
    'INSERT INTO events (app_name, actor, action, data, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const exists = db.prepare<[number], { id: number }>('SELECT id FROM events WHERE id = ?');
  const select = db.prepare<[{ app: string | null; before: number; limit: number }], EventRow>(
    'SELECT * FROM events WHERE (@app IS NULL OR app_name = @app) AND id < @before ORDER BY id DESC LIMIT @limit',
  );
  return {
    record(appName, actor, action, data = {}) {
      const createdAt = now();
      const id = Number(insert.run(appName, actor, action, JSON.stringify(data), createdAt).lastInsertRowid);
      if (!onEvent) return;
      const listener = onEvent;
      // Events are often recorded inside a transaction: by the next microtask it has
      // committed or rolled back, and a rolled-back event must not be announced.
      queueMicrotask(() => {
        if (db.open && exists.get(id)) listener({ id, appName, actor, action, data, createdAt });
      });
    },
    list({ appName, limit = 100, beforeId = Number.MAX_SAFE_INTEGER } = {}) {
      return select.all({ app: appName ?? null, before: beforeId, limit }).map((row) => ({
        id: row.id,
        appName: row.app_name,
        actor: row.actor,
        action: row.action,
        data: JSON.parse(row.data) as Record<string, unknown>,
        createdAt: row.created_at,
      }));
    },
  };
}
