import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';

import { guardedLookup, isForbiddenAddress } from './drain-address.js';

test('link-local and unspecified addresses are forbidden, loopback and private ones are not', () => {
  for (const address of ['169.254.169.254', '169.254.0.1', '0.0.0.0', '::', 'fe80::1', 'febf::ffff', '::ffff:169.254.169.254']) {
    assert.equal(isForbiddenAddress(address), true, address);
  }
  for (const address of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '::1', 'fd00::1', 'fec0::1', '8.8.8.8', 'logs.example.com']) {
    assert.equal(isForbiddenAddress(address), false, address);
  }
});

test('the guarded lookup answers both of node\'s calling forms', async () => {
  const one = await new Promise<string>((resolve, reject) => {
    guardedLookup('localhost', {}, (error, address) => (error ? reject(error) : resolve(address as string)));
  });
  assert.ok(['127.0.0.1', '::1'].includes(one), one);
  const all = await new Promise<LookupAddress[]>((resolve, reject) => {
    guardedLookup('localhost', { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses as unknown as LookupAddress[])));
  });
  assert.ok(all.length > 0 && all.every((entry) => typeof entry.address === 'string'));
});
