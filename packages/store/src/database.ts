import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'paas.db';

/**
 * Opens (creating if needed) the metadata database in `dataDir`.
 * WAL lets readers run beside the writer. Commits do not fsync on their own
 * (`synchronous = NORMAL`, which in WAL mode never corrupts the database): the store's
 * group commit fsyncs the WAL before a change is acknowledged, once for all the changes
 * that waited together, so an acknowledged change survives a crash of the process or host.
 */
export function openDatabase(dataDir: string): Db {
  // The data dir holds the database, the API token's hash, repos and build caches: paasd's
  // alone (a dir made before, with the default mode, is closed too). SQLite gives the
  // -wal and -shm files the mode of the database file.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = join(dataDir, DATABASE_FILE);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const applied = Number(db.pragma('user_version', { simple: true }));
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `The database schema is at version ${String(applied)}, newer than this paasd knows (${String(MIGRATIONS.length)}): run a newer paasd.`,
    );
  }
  if (applied === MIGRATIONS.length) return;
  // Off while migrating (it cannot change inside a transaction): rebuilding a table means
  // dropping the old one, which must not cascade. Checked before it is turned back on.
  db.pragma('foreign_keys = OFF');
  try {
    MIGRATIONS.slice(applied).forEach((sql, offset) => {
      db.transaction(() => {
        db.exec(sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`migration ${String(applied + offset + 1)} broke ${String(broken.length)} foreign keys`);
        db.pragma(`user_version = ${String(applied + offset + 1)}`);
      }).immediate();
    });
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

export function now(): string {
  return new Date().toISOString();
}

export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/**
 * Wraps `fn` in a write transaction taken with BEGIN IMMEDIATE, so reads inside it
 * (the next release version, the current config) cannot go stale before the write.
 */
export function writer<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A): R => transaction.immediate(...args);
}
