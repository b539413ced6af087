import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { DATABASE_FILE } from '../src/database.js';
import { createGroupCommit } from '../src/group-commit.js';
import { createStore } from '../src/store.js';

/** Waits (the WAL is opened on libuv's threads) until `check` holds, for at most a few seconds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

const tempDir = (t: { after: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-group-commit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('changes that wait together share one fsync, and a change made during a sync waits for the next', async (t) => {
  const dir = tempDir(t);
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  store.apps.create('demo', 'admin');
  const syncs: number[] = [];
  let release: (() => void) | undefined;
  const commits = createGroupCommit(join(dir, `${DATABASE_FILE}-wal`), {
    sync: async () => {
      syncs.push(Date.now());
      await new Promise<void>((resolve) => (release = resolve));
    },
  });
  const first = commits.durable();
  await until(() => syncs.length === 1);
  assert.equal(syncs.length, 1, 'the first caller starts a sync');
  // Sixteen changes arrive while it runs: they must not count on it.
  const waiting = Array.from({ length: 16 }, () => commits.durable());
  let settled = 0;
  for (const wait of waiting) void wait.then(() => (settled += 1));
  release?.();
  await first;
  await until(() => syncs.length === 2);
  assert.equal(settled, 0, 'the sixteen wait for a sync that started after them');
  assert.equal(syncs.length, 2, 'and they share it');
  release?.();
  await Promise.all(waiting);
  assert.equal(syncs.length, 2);
  await commits.close();
});

test('the store syncs its write-ahead log for real, and before anything was written', async (t) => {
  const dir = tempDir(t);
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  await store.durable();
  store.apps.create('demo', 'admin');
  await Promise.all([store.durable(), store.durable(), store.durable()]);
  assert.equal(store.apps.require('demo').name, 'demo');
});
