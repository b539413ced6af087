import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_SPARES_PER_KEY, type Spare, planSpares } from './spare-app-dirs.js';

const spare = (key: string, n: number, lowers = `lowers-of-${key}`): Spare => ({ key, dir: `/p/.spare-${key}-${String(n)}`, lowers });
const lowersNow = (key: string): string | undefined => (key === 'gone' ? undefined : `lowers-of-${key}`);

test('spares follow the live web processes per app and slug, up to the cap', () => {
  const cases: { why: string; wanted: [string, number][]; have: Spare[]; make: string[]; drop: string[] }[] = [
    { why: 'one live process, none made yet', wanted: [['a', 1]], have: [], make: ['a'], drop: [] },
    { why: 'one live process, one spare', wanted: [['a', 1]], have: [spare('a', 1)], make: [], drop: [] },
    { why: 'three live processes', wanted: [['a', 3]], have: [spare('a', 1)], make: ['a', 'a'], drop: [] },
    { why: 'more live processes than the cap', wanted: [['a', MAX_SPARES_PER_KEY + 5]], have: [], make: Array<string>(MAX_SPARES_PER_KEY).fill('a'), drop: [] },
    { why: 'scaled down', wanted: [['a', 1]], have: [spare('a', 1), spare('a', 2)], make: [], drop: ['/p/.spare-a-2'] },
    { why: 'no live process of that slug any more (a push replaced it)', wanted: [['b', 1]], have: [spare('a', 1)], make: ['b'], drop: ['/p/.spare-a-1'] },
    { why: 'the unpacked slug was removed and unpacked again', wanted: [['a', 1]], have: [spare('a', 1, 'older-lowers')], make: ['a'], drop: ['/p/.spare-a-1'] },
    { why: 'the unpacked slug is gone', wanted: [['gone', 1]], have: [spare('gone', 1)], make: [], drop: ['/p/.spare-gone-1'] },
    { why: 'nothing wanted (the driver closes)', wanted: [], have: [spare('a', 1), spare('b', 1)], make: [], drop: ['/p/.spare-a-1', '/p/.spare-b-1'] },
  ];
  for (const c of cases) {
    const plan = planSpares(new Map(c.wanted), c.have, lowersNow);
    assert.deepEqual(plan.make, c.make, c.why);
    assert.deepEqual(plan.drop.map((s) => s.dir), c.drop, c.why);
  }
});
