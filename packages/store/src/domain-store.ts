import { PaasError, notFound } from '@paas/core';

import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { EventStore } from './event-store.js';

export interface DomainRecord {
  readonly hostname: string;
  readonly appId: string;
  readonly createdAt: string;
}

export interface DomainStore {
  add(app: { id: string; name: string }, hostname: string, actor: string): DomainRecord;
  list(appId?: string): DomainRecord[];
  remove(app: { id: string; name: string }, hostname: string, actor: string): DomainRecord;
}

interface DomainRow {
  hostname: string;
  app_id: string;
  created_at: string;
}

const toDomain = (row: DomainRow): DomainRecord => ({ hostname: row.hostname, appId: row.app_id, createdAt: row.created_at });

/** Custom domains; a hostname belongs to one app at most. */
export function createDomainStore(db: Db, events: EventStore): DomainStore {
  const insert = db.prepare('INSERT INTO domains (hostname, app_id, created_at) VALUES (?, ?, ?)');
  const all = db.prepare<[], DomainRow>('SELECT * FROM domains ORDER BY hostname');
  const ofApp = db.prepare<[string], DomainRow>('SELECT * FROM domains WHERE app_id = ? ORDER BY hostname');
  const find = db.prepare<[string, string], DomainRow>('SELECT * FROM domains WHERE app_id = ? AND hostname = ?');
  const remove = db.prepare('DELETE FROM domains WHERE hostname = ?');
  return {
    add: writer(db, (app: { id: string; name: string }, hostname: string, actor: string) => {
      const record = { hostname, appId: app.id, createdAt: now() };
      try {
        insert.run(record.hostname, record.appId, record.createdAt);
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `${hostname} is already a domain of an app on this platform.`);
        throw error;
      }
      events.record(app.name, actor, 'domain.add', { hostname });
      return record;
    }),
    list: (appId) => (appId === undefined ? all.all() : ofApp.all(appId)).map(toDomain),
    remove: writer(db, (app: { id: string; name: string }, hostname: string, actor: string) => {
      const row = find.get(app.id, hostname);
      if (!row) throw notFound('domain', hostname);
      remove.run(hostname);
      events.record(app.name, actor, 'domain.remove', { hostname });
      return toDomain(row);
    }),
  };
}
