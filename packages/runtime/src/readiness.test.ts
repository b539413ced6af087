import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';

import { acceptsConnections, probePauseMs } from './readiness.js';

test('the probe pause is 2.5% of the boot so far, at least 2 ms and at most 25 ms', () => {
  assert.deepEqual(
    [0, 40, 80, 200, 400, 1_000, 60_000].map((ms) => probePauseMs(ms)),
    [2, 2, 2, 5, 10, 25, 25],
  );
  for (let ms = 0; ms < 2_000; ms += 7) assert.ok(probePauseMs(ms + 7) >= probePauseMs(ms), 'never shorter as the boot goes on');
});

test('a port is accepting once a server listens on it, and not before', async (t) => {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  assert.equal(await acceptsConnections({ host: '127.0.0.1', port: address.port }), true);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.after(() => server.close());
  assert.equal(await acceptsConnections({ host: '127.0.0.1', port: address.port }), false);
});
