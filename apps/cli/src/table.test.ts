import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatHeader, formatKeyValues, formatTable } from './table.js';

const columns = [
  { header: 'Name', get: (row: { name: string; n: number }) => row.name },
  { header: 'N', get: (row: { name: string; n: number }) => String(row.n) },
];

describe('formatTable', () => {
  it('aligns columns two spaces apart under a header and a rule, without trailing spaces', () => {
    assert.deepEqual(formatTable([{ name: 'demo', n: 1 }, { name: 'a', n: 100 }], columns), [
      'Name  N',
      '────  ───',
      'demo  1',
      'a     100',
    ]);
  });

  it('can leave the header out', () => {
    assert.deepEqual(formatTable([{ name: 'x', n: 1 }, { name: 'long', n: 2 }], columns, { headers: false }), [
      'x     1',
      'long  2',
    ]);
  });

  it('counts code points, so accented names line up', () => {
    assert.deepEqual(formatTable([{ name: 'héllo', n: 1 }, { name: '✓', n: 2 }], columns, { headers: false }), [
      'héllo  1',
      '✓      2',
    ]);
  });

  it('escapes newlines and other control characters inside cells', () => {
    assert.deepEqual(formatTable([{ name: 'a\nb\u001b', n: 1 }], columns, { headers: false }), ['a\\nb\\u001b  1']);
  });

  it('prints just the header for no rows', () => {
    assert.deepEqual(formatTable([], columns), ['Name  N', '────  ─']);
  });
});

describe('formatKeyValues', () => {
  it('aligns values after the longest key and indents continuation lines', () => {
    assert.deepEqual(formatKeyValues([['A', '1'], ['LONGER', 'two'], ['PEM', 'line1\nline2'], ['EMPTY', '']]), [
      'A:      1',
      'LONGER: two',
      'PEM:    line1',
      '        line2',
      'EMPTY:',
    ]);
  });
});

describe('formatHeader', () => {
  it('uses the === style', () => assert.equal(formatHeader('demo Config Vars'), '=== demo Config Vars'));
});
