import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type AddressClass, classifyAddress, refuseTargetAddress } from './network-address.js';

const CASES: ReadonlyArray<readonly [string, AddressClass | undefined]> = [
  ['93.184.216.34', 'public'],
  ['8.8.8.8', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['fd12:3456::1', 'private'],
  ['fc00::1', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['169.254.169.254', 'metadata'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['64:ff9b::7f00:1', 'reserved'],
  ['2002:7f00:1::', 'reserved'],
  ['::127.0.0.1', 'reserved'],
  ['example.com', undefined],
  ['2130706433', undefined],
  ['', undefined],
];

test('classifyAddress: every range by its class', () => {
  for (const [address, expected] of CASES) assert.equal(classifyAddress(address), expected, address);
});

test('refuseTargetAddress: only public addresses by default; allowPrivate lets loopback and private through, never metadata', () => {
  assert.equal(refuseTargetAddress('93.184.216.34'), undefined);
  assert.equal(refuseTargetAddress('fd00:ec2::254'), 'fd00:ec2::254 is a metadata address');
  assert.equal(refuseTargetAddress('::ffff:127.0.0.1'), '::ffff:127.0.0.1 is a loopback address');
  assert.equal(refuseTargetAddress('10.0.0.1'), '10.0.0.1 is a private address');
  assert.equal(refuseTargetAddress('127.0.0.1', { allowPrivate: true }), undefined);
  assert.equal(refuseTargetAddress('fd12::1', { allowPrivate: true }), undefined);
  for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1']) {
    assert.notEqual(refuseTargetAddress(address, { allowPrivate: true }), undefined, address);
  }
});
