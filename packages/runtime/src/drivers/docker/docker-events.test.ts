import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import type Docker from 'dockerode';

import { type ContainerEvent, watchContainerEvents } from './docker-events.js';
import { silentLogger } from '../shared/driver-logger.js';

/** Just `getEvents` of dockerode: each call hands out the next scripted stream. */
function fakeDocker(): { docker: Docker; calls: Record<string, unknown>[]; streams: PassThrough[]; connected: () => Promise<PassThrough> } {
  const calls: Record<string, unknown>[] = [];
  const streams: PassThrough[] = [];
  const waiting: ((stream: PassThrough) => void)[] = [];
  const docker = {
    getEvents(options: Record<string, unknown>) {
      calls.push(options);
      const stream = new PassThrough();
      streams.push(stream);
      for (const resolve of waiting.splice(0)) resolve(stream);
      return Promise.resolve(stream);
    },
  } as unknown as Docker;
  const connected = (): Promise<PassThrough> => new Promise((resolve) => waiting.push(resolve));
  return { docker, calls, streams, connected };
}

test('events split across chunks are parsed, and an ended stream reconnects from the last event time', async () => {
  const fake = fakeDocker();
  const events: ContainerEvent[] = [];
  let reconnects = 0;
  const firstConnection = fake.connected();
  const watch = watchContainerEvents(fake.docker, {
    filters: { label: ['paas.managed=true'] },
    onEvent: (event) => events.push(event),
    onReconnect: () => (reconnects += 1),
    logger: silentLogger,
    initialBackoffMs: 5,
  });
  const first = await firstConnection;
  await watch.ready;
  const line = JSON.stringify({ Type: 'container', Action: 'oom', Actor: { ID: 'c1', Attributes: {} }, time: 1700000000 });
  const die = JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'c1', Attributes: { exitCode: '137' } }, time: 1700000001 });
  first.write(line.slice(0, 20));
  first.write(`${line.slice(20)}\n${die.slice(0, 10)}`);
  first.write(`${die.slice(10)}\n`);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, [
    { id: 'c1', action: 'oom', attributes: {} },
    { id: 'c1', action: 'die', attributes: { exitCode: '137' } },
  ]);
  assert.equal(fake.calls[0]?.filters, JSON.stringify({ label: ['paas.managed=true'] }));
  assert.equal(fake.calls[0]?.since, undefined);

  const secondConnection = fake.connected();
  first.end();
  await secondConnection;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fake.calls[1]?.since, 1700000001, 'resumes from the last event seen');
  assert.equal(reconnects, 1, 'the driver is told to look for exits it may have missed');
  watch.close();
  assert.equal(fake.streams[1]?.destroyed, true);
});
