import assert from 'node:assert/strict';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { createStore } from '../src/index.js';
import { tempDir } from './temp-dir.js';

test('the data dir is 0700 and paas.db 0600, also when the dir existed with a looser mode', (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'paas.db')).mode & 0o777, 0o600);
  for (const file of ['paas.db-wal', 'paas.db-shm']) {
    const mode = statSync(join(dir, file), { throwIfNoEntry: false })?.mode;
    if (mode !== undefined) assert.equal(mode & 0o077, 0, `${file} is the owner's only`);
  }
});
