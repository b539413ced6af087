/**
 * `node checkpoint-child.js <database file>`: one PASSIVE checkpoint of the database's WAL
 * from a connection of its own, in a process of its own, so that copying the pages and the
 * fsync of the database file never block paasd's event loop (one took 1–15 ms there, and
 * every request queued behind it waited). Prints SQLite's answer as JSON.
 */
import Database from 'better-sqlite3';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: checkpoint-child.js <database file>\n');
  process.exit(2);
}
// Never creates the database: a store that was removed meanwhile is not made again.
const db = new Database(file, { fileMustExist: true });
try {
  process.stdout.write(`${JSON.stringify(db.pragma('wal_checkpoint(PASSIVE)'))}\n`);
} finally {
  // paasd's own connection stays open, so this close neither checkpoints nor removes the WAL.
  db.close();
}
