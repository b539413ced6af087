import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';

import { createGuardedLookup, refuseDrainAddress } from './drain-address.js';

test('only public addresses by default; the operator opt-in allows loopback and private ones, never metadata', () => {
  for (const address of ['169.254.169.254', '169.254.0.1', '0.0.0.0', '::', 'fe80::1', 'febf::ffff', '::ffff:169.254.169.254', 'fd00:ec2::254', '127.0.0.1', '::ffff:127.0.0.1', '10.0.0.5', '192.168.1.1', '::1', 'fd00::1']) {
    assert.notEqual(refuseDrainAddress(address), undefined, address);
  }
  for (const address of ['127.0.0.1', '10.0.0.5', '::1', 'fd00::1']) assert.equal(refuseDrainAddress(address, { allowPrivate: true }), undefined, address);
  for (const address of ['169.254.169.254', 'fd00:ec2::254', '0.0.0.0']) assert.notEqual(refuseDrainAddress(address, { allowPrivate: true }), undefined, address);
  assert.equal(refuseDrainAddress('8.8.8.8'), undefined);
});

test('the guarded lookup refuses names resolving to loopback, unless private targets are allowed', async () => {
  const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    createGuardedLookup()('localhost', {}, (error) => resolve(error));
  });
  assert.equal(refused?.code, 'EFORBIDDEN');
});

test('the guarded lookup answers both of node\'s calling forms', async () => {
  const guardedLookup = createGuardedLookup({ allowPrivate: true });
  const one = await new Promise<string>((resolve, reject) => {
    guardedLookup('localhost', {}, (error, address) => (error ? reject(error) : resolve(address as string)));
  });
  assert.ok(['127.0.0.1', '::1'].includes(one), one);
  const all = await new Promise<LookupAddress[]>((resolve, reject) => {
    guardedLookup('localhost', { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses as unknown as LookupAddress[])));
  });
  assert.ok(all.length > 0 && all.every((entry) => typeof entry.address === 'string'));
});
