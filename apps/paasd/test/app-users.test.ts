import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { APP_UID_BASE, APP_UID_COUNT, createAppUsers, pickAppUid } from '../src/app-users.js';

test('an app uid comes from the name, in the range, and skips ids other apps hold', () => {
  const uid = pickAppUid('shop', new Set());
  assert.ok(uid >= APP_UID_BASE && uid < APP_UID_BASE + APP_UID_COUNT);
  assert.equal(pickAppUid('shop', new Set()), uid, 'stable');
  assert.equal(pickAppUid('shop', new Set([uid])), uid + 1 === APP_UID_BASE + APP_UID_COUNT ? APP_UID_BASE : uid + 1);
  assert.equal(pickAppUid('a', new Set([10, 11]), 10, 3), 12);
  assert.throws(() => pickAppUid('a', new Set([10]), 10, 1), /no free app uid/);
});

test('assignments are kept in the data dir and differ between apps', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-app-users-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const users = createAppUsers(dir);
  const shop = users.userOf('shop');
  const blog = users.userOf('blog');
  assert.notEqual(shop.uid, blog.uid);
  assert.deepEqual(shop, { uid: shop.uid, gid: shop.uid });
  assert.deepEqual(createAppUsers(dir).userOf('shop'), shop, 'a restarted paasd gives the same uid');
  assert.equal(statSync(join(dir, 'app-users.json')).mode & 0o777, 0o600);
});
