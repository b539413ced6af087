import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createBootWaits } from './boot-waits.js';
import { createRouteTable, type AppRoute } from './route-table.js';

const booting: AppRoute = { name: 'demo', domains: [], maintenance: false, state: 'booting', backends: [] };
const up: AppRoute = { ...booting, state: 'running', backends: [{ id: 'p1', name: 'web.1', host: '127.0.0.1', port: 5001 }] };

test('parked requests resume once the app is no longer booting without processes', () => {
  const waits = createBootWaits();
  const calls: boolean[] = [];
  waits.wait('demo', (giveUp) => calls.push(giveUp));
  const cancel = waits.wait('demo', (giveUp) => calls.push(giveUp));
  cancel();
  waits.release(createRouteTable([booting]));
  assert.deepEqual(calls, []);
  waits.release(createRouteTable([up]));
  assert.deepEqual(calls, [false]);
  waits.release(createRouteTable([up]));
  assert.deepEqual(calls, [false], 'resumed once');
});

test('an app removed or put in maintenance resumes its waiters; close gives up', () => {
  const waits = createBootWaits();
  const calls: string[] = [];
  waits.wait('demo', (giveUp) => calls.push(`demo ${String(giveUp)}`));
  waits.wait('other', (giveUp) => calls.push(`other ${String(giveUp)}`));
  waits.release(createRouteTable([{ ...booting, name: 'other' }]));
  assert.deepEqual(calls, ['demo false']);
  waits.release(createRouteTable([{ ...booting, name: 'other', maintenance: false }]));
  waits.giveUpAll();
  assert.deepEqual(calls, ['demo false', 'other true']);
});
