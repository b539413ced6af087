import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import type { Db } from './database.js';
import { now } from './database.js';

export interface TokenRecord {
  readonly id: string;
  /** Who acts with this token; it is the actor of the releases it makes. */
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface TokenStore {
  /** Makes a token; the secret is returned once and only its hash is kept. */
  create(name: string): { token: string; record: TokenRecord };
  verify(token: string): TokenRecord | undefined;
  list(): TokenRecord[];
  count(): number;
  revoke(id: string): boolean;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateToken(): string {
  return `paas_${randomBytes(30).toString('base64url')}`;
}

const toRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export function createTokenStore(db: Db): TokenStore {
  const insert = db.prepare('INSERT INTO api_tokens (id, name, hash, created_at) VALUES (?, ?, ?, ?)');
  const all = db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY created_at');
  const touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM api_tokens');
  const revoke = db.prepare('DELETE FROM api_tokens WHERE id = ?');
  return {
    create(name) {
      const token = generateToken();
      const row: TokenRow = {
        id: randomUUID(),
        name,
        hash: hashToken(token).toString('hex'),
        created_at: now(),
        last_used_at: null,
      };
      insert.run(row.id, row.name, row.hash, row.created_at);
      return { token, record: toRecord(row) };
    },
    verify(token) {
      const presented = hashToken(token);
      // Compare against every stored hash in constant time rather than looking the hash
      // up, so the time taken says nothing about how close a guess came.
      let match: TokenRow | undefined;
      for (const row of all.all()) {
        if (timingSafeEqual(presented, Buffer.from(row.hash, 'hex')) && !match) match = row;
      }
      if (!match) return undefined;
      const usedAt = now();
      // Only minute precision is worth a write on the request path.
      if (match.last_used_at?.slice(0, 16) !== usedAt.slice(0, 16)) touch.run(usedAt, match.id);
      return toRecord({ ...match, last_used_at: usedAt });
    },
    list: () => all.all().map(toRecord),
    count: () => count.get()?.n ?? 0,
    revoke: (id) => revoke.run(id).changes > 0,
  };
}
