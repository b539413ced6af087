import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ERROR_STATUS, isOutOfSpace } from './errors.js';

test('a full disk is recognized by its code, also as a cause', () => {
  const coded = (code: string): Error => Object.assign(new Error(code), { code });
  for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) assert.ok(isOutOfSpace(coded(code)), code);
  assert.ok(isOutOfSpace(new Error('wrapped', { cause: coded('ENOSPC') })));
  assert.equal(isOutOfSpace(coded('EIO')), false);
  assert.equal(isOutOfSpace('ENOSPC'), false);
  assert.equal(ERROR_STATUS.insufficient_storage, 507);
});
