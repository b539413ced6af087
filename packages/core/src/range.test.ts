import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRange, takePage } from './range.js';

const rules = { fields: ['version'], defaultOrder: 'desc' as const };

test('parses Heroku Range headers', () => {
  assert.deepEqual(parseRange(undefined, rules), { field: 'version', startExclusive: false, max: 200, order: 'desc' });
  assert.deepEqual(parseRange('version ]5..; max=10, order=asc', rules), { field: 'version', start: '5', startExclusive: true, max: 10, order: 'asc' });
  assert.deepEqual(parseRange('version 2..4', rules), { field: 'version', start: '2', end: '4', startExclusive: false, max: 200, order: 'desc' });
  assert.equal(parseRange('version ..; max=5000', rules).max, 1000);
  for (const bad of ['id ..', 'version', 'version ..; max=0', 'version ..; order=up', 'version ..; foo=1']) {
    assert.throws(() => parseRange(bad, rules), bad);
  }
});

test('takes pages in order and says where the next starts', () => {
  const items = [6, 5, 4, 3, 2, 1];
  const first = takePage(items, parseRange('version ..; max=4', rules), (n) => n);
  assert.deepEqual(first, { page: [6, 5, 4, 3], nextRange: 'version ]3..; max=4, order=desc' });
  const second = takePage(items, parseRange(first.nextRange, rules), (n) => n);
  assert.deepEqual(second, { page: [2, 1] });
  assert.deepEqual(takePage(items, parseRange('version 4..2', rules), (n) => n).page, [4, 3, 2]);
  assert.deepEqual(takePage([], parseRange(undefined, rules), (n: number) => n).page, []);
});
