import assert from 'node:assert/strict';
import { test } from 'node:test';

import type acmeClient from 'acme-client';

import { AcmeWaitStopped, useClosableStatusWait } from './status-wait.js';

/** A client whose item answers `statuses` in turn (the last one from then on). */
function clientAnswering(...statuses: object[]): { client: acmeClient.Client; asked: () => number; wait: (item: { url?: string }) => Promise<unknown> } {
  let asked = 0;
  const client = {
    getOrder: async () => {
      asked += 1;
      return statuses[Math.min(asked, statuses.length) - 1];
    },
  } as unknown as acmeClient.Client;
  return { client, asked: () => asked, wait: (item) => (client as unknown as { waitForValidStatus: (i: { url?: string }) => Promise<unknown> }).waitForValidStatus(item) };
}

test('the wait returns the item once valid, polling while pending', async () => {
  const { client, asked, wait } = clientAnswering({ status: 'pending' }, { status: 'processing' }, { status: 'valid', token: 't' });
  useClosableStatusWait(client, { attempts: 10, minMs: 1, maxMs: 2, signal: new AbortController().signal });
  assert.deepEqual(await wait({ url: 'https://ca.test/chall/1' }), { status: 'valid', token: 't' });
  assert.equal(asked(), 3);
});

test('an invalid item fails with the CA’s own reason', async () => {
  const { client, wait } = clientAnswering({ status: 'invalid', error: { type: 'urn:ietf:params:acme:error:connection', detail: '127.0.0.2: Connection refused' } });
  useClosableStatusWait(client, { attempts: 10, minMs: 1, maxMs: 2, signal: new AbortController().signal });
  await assert.rejects(wait({ url: 'https://ca.test/chall/1' }), /^Error: 127\.0\.0\.2: Connection refused$/);
});

test('closing ends a wait on a CA that never answers valid, at once, with no timer left behind', async () => {
  const { client, wait } = clientAnswering({ status: 'pending' });
  const stop = new AbortController();
  // Backing off to 30 s, as in the service: without the signal this wait would last minutes.
  useClosableStatusWait(client, { attempts: 10, minMs: 1_000, maxMs: 30_000, signal: stop.signal });
  const waiting = wait({ url: 'https://ca.test/chall/1' });
  setTimeout(() => stop.abort(), 20);
  const began = Date.now();
  await assert.rejects(waiting, AcmeWaitStopped);
  assert.ok(Date.now() - began < 900, 'ended before the first retry was due');
  assert.deepEqual(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout'), []);
});

test('a wait gives up after its attempts, saying the item was still pending', async () => {
  const { client, asked, wait } = clientAnswering({ status: 'pending' });
  useClosableStatusWait(client, { attempts: 3, minMs: 1, maxMs: 1, signal: new AbortController().signal });
  await assert.rejects(wait({ url: 'https://ca.test/chall/1' }), /Operation is pending or processing/);
  assert.equal(asked(), 3);
});
