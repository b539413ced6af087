import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import type { Db } from './database.js';
import { now } from './database.js';

/** What a token may do: `read` only looks, `write` and `global` may change things. */
export type TokenScope = 'read' | 'write' | 'global';

export interface TokenRecord {
  readonly id: string;
  /** The user this token acts for; releases and events name them. */
  readonly userId: string;
  readonly description: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastUsedAt: string | null;
  /** After this instant the token no longer works; null: it does not expire. */
  readonly expiresAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  user_id: string | null;
  scope: TokenScope;
  created_at: string;
  updated_at: string | null;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface NewToken {
  readonly description?: string;
  readonly scope?: TokenScope;
  readonly expiresAt?: Date | null;
}

export interface TokenStore {
  /** Makes a token for a user; the secret is returned once and only its hash is kept. */
  create(userId: string, options?: NewToken): { token: string; record: TokenRecord };
  /** The token's record, if the secret matches a stored one that has not expired. */
  verify(token: string, at?: Date): TokenRecord | undefined;
  get(id: string): TokenRecord | undefined;
  /** Every token, or a user's. */
  list(userId?: string): TokenRecord[];
  count(): number;
  revoke(id: string): boolean;
  /** A new secret for the same authorization; the old one stops working at once. */
  rotate(id: string): { token: string; record: TokenRecord } | undefined;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateToken(): string {
  return `paas_${randomBytes(30).toString('base64url')}`;
}

const toRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  userId: row.user_id ?? '',
  description: row.name,
  scope: row.scope,
  createdAt: row.created_at,
  updatedAt: row.updated_at ?? row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
});

export function createTokenStore(db: Db): TokenStore {
  const insert = db.prepare('INSERT INTO api_tokens (id, name, hash, user_id, scope, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const all = db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY created_at');
  const ofUser = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at');
  const byId = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE id = ?');
  const touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const rehash = db.prepare('UPDATE api_tokens SET hash = ?, updated_at = ? WHERE id = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM api_tokens');
  const revoke = db.prepare('DELETE FROM api_tokens WHERE id = ?');
  return {
    create(userId, options = {}) {
      const token = generateToken();
      const at = now();
      const row: TokenRow = {
        id: randomUUID(),
        name: options.description ?? '',
        hash: hashToken(token).toString('hex'),
        user_id: userId,
        scope: options.scope ?? 'global',
        created_at: at,
        updated_at: at,
        last_used_at: null,
        expires_at: options.expiresAt ? options.expiresAt.toISOString() : null,
      };
      insert.run(row.id, row.name, row.hash, row.user_id, row.scope, row.created_at, row.updated_at, row.expires_at);
      return { token, record: toRecord(row) };
    },
    verify(token, at = new Date()) {
      const presented = hashToken(token);
      // Compare against every stored hash in constant time rather than looking the hash
      // up, so the time taken says nothing about how close a guess came.
      let match: TokenRow | undefined;
      for (const row of all.all()) {
        if (timingSafeEqual(presented, Buffer.from(row.hash, 'hex')) && !match) match = row;
      }
      if (!match?.user_id) return undefined;
      if (match.expires_at !== null && Date.parse(match.expires_at) <= at.getTime()) return undefined;
      const usedAt = at.toISOString();
      // Only minute precision is worth a write on the request path.
      if (match.last_used_at?.slice(0, 16) !== usedAt.slice(0, 16)) touch.run(usedAt, match.id);
      return toRecord({ ...match, last_used_at: usedAt });
    },
    get(id) {
      const row = byId.get(id);
      return row ? toRecord(row) : undefined;
    },
    list: (userId) => (userId === undefined ? all.all() : ofUser.all(userId)).map(toRecord),
    count: () => count.get()?.n ?? 0,
    revoke: (id) => revoke.run(id).changes > 0,
    rotate(id) {
      const token = generateToken();
      if (rehash.run(hashToken(token).toString('hex'), now(), id).changes === 0) return undefined;
      const row = byId.get(id);
      return row ? { token, record: toRecord(row) } : undefined;
    },
  };
}
