import { randomUUID } from 'node:crypto';

import { PaasError, notFound } from '@paas/core';

import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { EventStore } from './event-store.js';

export type UserRole = 'admin' | 'member';

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  created_at: string;
  updated_at: string;
}

export interface UserStore {
  create(email: string, role: UserRole, actor: string): UserRecord;
  /** By id or email (emails compare without case). */
  find(idOrEmail: string): UserRecord | undefined;
  require(idOrEmail: string): UserRecord;
  list(): UserRecord[];
  /** Removes the user with their tokens and grants; the last admin cannot go. */
  remove(idOrEmail: string, actor: string): UserRecord;
  /**
   * The first admin, made with `email` when there is none yet. Tokens made before users
   * existed (they belong to no one) are given to them.
   */
  ensureFirstAdmin(email: string): UserRecord;
}

const toUser = (row: UserRow): UserRecord => ({ id: row.id, email: row.email, role: row.role, createdAt: row.created_at, updatedAt: row.updated_at });

export function createUserStore(db: Db, events: EventStore): UserStore {
  const insert = db.prepare('INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const byKey = db.prepare<[string, string], UserRow>('SELECT * FROM users WHERE id = ? OR email = ? COLLATE NOCASE');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, email');
  const firstAdmin = db.prepare<[], UserRow>("SELECT * FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1");
  const admins = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'");
  const remove = db.prepare('DELETE FROM users WHERE id = ?');
  const adopt = db.prepare('UPDATE api_tokens SET user_id = ? WHERE user_id IS NULL');
  const find = (key: string): UserRecord | undefined => {
    const row = byKey.get(key, key);
    return row ? toUser(row) : undefined;
  };
  const create = (email: string, role: UserRole): UserRecord => {
    const at = now();
    const row: UserRow = { id: randomUUID(), email, role, created_at: at, updated_at: at };
    try {
      insert.run(row.id, row.email, row.role, row.created_at, row.updated_at);
    } catch (error) {
      if (isUniqueViolation(error)) throw new PaasError('conflict', `${email} is already a user here: see them with \`paas users\`.`);
      throw error;
    }
    return toUser(row);
  };
  return {
    create: writer(db, (email: string, role: UserRole, actor: string) => {
      const user = create(email, role);
      events.record(null, actor, 'user.create', { email, role });
      return user;
    }),
    find,
    require(key) {
      const user = find(key);
      if (!user) throw notFound('user', key);
      return user;
    },
    list: () => all.all().map(toUser),
    remove: writer(db, (key: string, actor: string) => {
      const row = byKey.get(key, key);
      if (!row) throw notFound('user', key);
      if (row.role === 'admin' && (admins.get()?.n ?? 0) <= 1) {
        throw new PaasError('invalid_params', `${row.email} is the last admin: add another admin first (\`paas users:add EMAIL --role admin\`).`);
      }
      remove.run(row.id);
      events.record(null, actor, 'user.destroy', { email: row.email });
      return toUser(row);
    }),
    ensureFirstAdmin: writer(db, (email: string) => {
      const existing = firstAdmin.get();
      const admin = existing ? toUser(existing) : create(email, 'admin');
      adopt.run(admin.id);
      return admin;
    }),
  };
}
