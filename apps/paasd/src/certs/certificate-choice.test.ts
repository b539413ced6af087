import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseCertificates, nameCovers } from './certificate-choice.js';

const cert = (chain: string, hostnames: string[], createdAt: string, notAfter = '2030-01-01T00:00:00.000Z', appId = 'a1') => ({
  appId, hostnames, chain, privateKey: `${chain}-key`, notBefore: '2020-01-01T00:00:00.000Z', notAfter, createdAt,
});
const NOW = Date.parse('2026-12-06T00:00:00.000Z');

test('names cover exactly, or by a wildcard one label deep', () => {
  assert.ok(nameCovers('www.example.com', 'www.example.com'));
  assert.ok(nameCovers('*.example.com', 'www.example.com'));
  assert.ok(!nameCovers('*.example.com', 'a.b.example.com'));
  assert.ok(!nameCovers('*.example.com', 'example.com'));
  assert.ok(!nameCovers('example.com', 'www.example.com'));
});

test('the newest valid certificate of the same app covering the domain wins', () => {
  const domains = [
    { hostname: 'www.example.com', appId: 'a1' },
    { hostname: 'api.example.com', appId: 'a1' },
    { hostname: 'shop.example.com', appId: 'a1' },
    { hostname: 'other.example.org', appId: 'a1' },
  ];
  const chosen = chooseCertificates(domains, [
    cert('old', ['www.example.com'], '2026-01-01'),
    cert('new', ['www.example.com'], '2026-02-01'),
    cert('wild', ['*.example.com'], '2026-01-15'),
    cert('expired', ['shop.example.com'], '2026-03-01', '2026-06-01T00:00:00.000Z'),
    cert('foreign', ['other.example.org'], '2026-03-01', '2030-01-01T00:00:00.000Z', 'a2'),
  ], NOW);
  assert.equal(chosen.get('www.example.com')?.chain, 'new');
  assert.equal(chosen.get('api.example.com')?.chain, 'wild');
  // The expired one is passed over for the wildcard.
  assert.equal(chosen.get('shop.example.com')?.chain, 'wild');
  assert.equal(chosen.has('other.example.org'), false);
});
