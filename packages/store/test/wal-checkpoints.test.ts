import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { DATABASE_FILE, openDatabase } from '../src/database.js';
import { CHECKPOINT_RULES, planCheckpoint, startWalCheckpoints } from '../src/wal-checkpoints.js';
import type { CheckpointState } from '../src/wal-checkpoints.js';
import { tempDir } from './temp-dir.js';

const rules = { quietMs: 500, maxChanges: 1_000 };
const at = (checkpointedAt: number, seen: number, seenSince: number): CheckpointState => ({ checkpointedAt, seen, seenSince });

test('a checkpoint waits until the change count has been still for the quiet time', () => {
  const cases: { state: CheckpointState; changes: number; now: number; checkpoint: boolean; why: string }[] = [
    { state: at(10, 10, 0), changes: 10, now: 5_000, checkpoint: false, why: 'nothing changed since the last one' },
    { state: at(10, 10, 0), changes: 15, now: 5_000, checkpoint: false, why: 'changes just seen: the count must stay still first' },
    { state: at(10, 15, 4_700), changes: 15, now: 5_000, checkpoint: false, why: 'still for 300 ms only' },
    { state: at(10, 15, 4_500), changes: 15, now: 5_000, checkpoint: true, why: 'still for the quiet time' },
    { state: at(10, 900, 4_900), changes: 1_010, now: 5_000, checkpoint: true, why: 'a burst that reached the most changes a WAL may hold' },
    { state: at(10, 900, 4_900), changes: 1_009, now: 5_000, checkpoint: false, why: 'a burst below the cap' },
  ];
  for (const { state, changes, now, checkpoint, why } of cases) assert.equal(planCheckpoint(state, changes, now, rules).checkpoint, checkpoint, why);
});

test('the state remembers when the count last moved and what the checkpoint covered', () => {
  const moved = planCheckpoint(at(10, 10, 0), 15, 5_000, rules);
  assert.deepEqual(moved.state, at(10, 15, 5_000));
  const due = planCheckpoint(moved.state, 15, 5_600, rules);
  assert.equal(due.checkpoint, true);
  assert.deepEqual(due.state, at(15, 15, 5_000));
  assert.equal(planCheckpoint(due.state, 15, 9_000, rules).checkpoint, false, 'once done, not again until something changes');
  assert.ok(CHECKPOINT_RULES.quietMs > 0 && CHECKPOINT_RULES.maxChanges > 0);
});

test('commits leave the database file alone until the store is quiet, then the WAL is copied into it', async (t) => {
  const dir = tempDir(t, 'paas-wal-checkpoints-');
  const db = openDatabase(dir);
  const checkpoints = startWalCheckpoints(db);
  t.after(() => {
    checkpoints.stop();
    db.close();
  });
  db.exec('CREATE TABLE filler (body TEXT)');
  const before = statSync(join(dir, DATABASE_FILE)).size;
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  // 2,000 pages of WAL: SQLite's own rule would have checkpointed inside one of these commits.
  for (let i = 0; i < 2_000; i += 1) insert.run('x'.repeat(4_000));
  assert.equal(statSync(join(dir, DATABASE_FILE)).size, before, 'no commit checkpointed');
  for (let i = 0; i < 100 && statSync(join(dir, DATABASE_FILE)).size === before; i += 1) await sleep(50);
  assert.ok(statSync(join(dir, DATABASE_FILE)).size > 2_000 * 4_000, 'the quiet store checkpointed the WAL into the database file');
});
