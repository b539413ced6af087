import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attachmentConfigVar, backupDue, backupName, backupsToExpire, parseAddonService, parseAttachmentName, parseBackupHour } from './addons.js';

test('add-on services are named as on Heroku or plainly', () => {
  assert.deepEqual(['postgresql', 'heroku-postgresql:mini', 'postgres', 'redis', 'heroku-redis:premium-0'].map(parseAddonService), ['postgresql', 'postgresql', 'postgresql', 'redis', 'redis']);
  assert.throws(() => parseAddonService('mysql'), { id: 'invalid_params' });
});

test('attachment names become NAME_URL config vars; platform names and odd characters are refused', () => {
  assert.equal(attachmentConfigVar(parseAttachmentName('analytics_db')), 'ANALYTICS_DB_URL');
  assert.equal(parseAttachmentName('CACHE_URL'), 'CACHE');
  for (const bad of ['PAAS_DB', '1DB', 'A-B', 'a b', '']) assert.throws(() => parseAttachmentName(bad), { id: 'invalid_params' }, bad);
});

test('daily backups: due once the UTC hour has come and none was taken since', () => {
  assert.deepEqual(['02:00 UTC', '2', '23:00'].map(parseBackupHour), [2, 2, 23]);
  assert.throws(() => parseBackupHour('02:30 UTC'), { id: 'invalid_params' });
  const at = (iso: string): Date => new Date(iso);
  assert.equal(backupDue(2, at('2026-12-06T01:59:00Z'), undefined), false);
  assert.equal(backupDue(2, at('2026-12-06T02:00:00Z'), undefined), true);
  assert.equal(backupDue(2, at('2026-12-06T05:00:00Z'), at('2026-12-06T02:00:10Z')), false);
  assert.equal(backupDue(2, at('2026-12-07T02:01:00Z'), at('2026-12-06T02:00:10Z')), true);
});

test('retention expires the oldest completed scheduled backups beyond the count; manual ones stay', () => {
  const backups = [
    ...Array.from({ length: 9 }, (_, i) => ({ number: i + 1, scheduled: true, status: 'completed' })),
    { number: 10, scheduled: false, status: 'completed' },
    { number: 11, scheduled: true, status: 'failed' },
  ];
  assert.deepEqual(backupsToExpire(backups, 7).map((b) => b.number), [2, 1]);
  assert.equal(backupName(3), 'b003');
});
