import assert from 'node:assert/strict';
import { test } from 'node:test';

import { summarizeBackups } from '../src/backup-summary.js';

test('an add-on\'s backups in one line: the newest finished one decides the tone', () => {
  assert.deepEqual(summarizeBackups([]), { tone: 'idle', text: 'no backups' });
  assert.deepEqual(summarizeBackups([{ name: 'b001', status: 'completed', verified: { tables: 1, rows: 2 } }]), { tone: 'ok', text: 'b001 verified: 1 table, 2 rows · 1 backup' });
  assert.deepEqual(
    summarizeBackups([
      { name: 'b003', status: 'running', verified: null },
      { name: 'b002', status: 'failed', verified: null },
      { name: 'b001', status: 'completed', verified: { tables: 3, rows: 10 } },
    ]),
    { tone: 'bad', text: 'b002 failed · b003 running · 3 backups' },
  );
  assert.deepEqual(summarizeBackups([{ name: 'b001', status: 'running', verified: null }]), { tone: 'warn', text: 'b001 running · 1 backup' });
});
