import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

import { DEFAULT_MAX_LINES } from '../src/drain-buffer.js';
import { createSyslogDrain } from '../src/syslog-drain.js';
import {
  TOKEN, appLine, burst, createFrameReader, droppedIn, eventually, freePort, makeCertificate, recordReports, seqOf, target, tempDir,
} from './drain-fixture.js';

/** The receivers here listen on loopback, which drains may reach only when the operator allows it. */
const LOOPBACK = { allowPrivate: true } as const;

interface Receiver {
  readonly messages: string[];
  readonly sockets: Socket[];
}

/** Collects octet-counted messages from every connection a server accepts. */
function receive(server: Server, options: { paused?: boolean; tls?: boolean } = {}): Receiver {
  const receiver: Receiver = { messages: [], sockets: [] };
  server.on(options.tls === true ? 'secureConnection' : 'connection', (socket: Socket) => {
    receiver.sockets.push(socket);
    if (options.paused === true) socket.pause();
    const read = createFrameReader();
    socket.on('data', (chunk: Buffer) => receiver.messages.push(...read(chunk)));
    // A drain closed mid-test may reset the connection; the tests judge what arrived.
    socket.on('error', () => undefined);
  });
  return receiver;
}

async function listen(server: Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function stop(server: Server, receiver: Receiver) {
  for (const socket of receiver.sockets) socket.destroy();
  server.close();
}

test('a receiver that stops reading costs the oldest lines, each one accounted for in L10 lines', { timeout: 120_000 }, async (t) => {
  const LINES = 200_000;
  const server = createServer();
  const receiver = receive(server, { paused: true });
  const port = await listen(server);
  t.after(() => stop(server, receiver));
  const reports = recordReports();
  const drain = createSyslogDrain(target(`syslog://127.0.0.1:${String(port)}`), reports, { targets: LOOPBACK });
  t.after(() => drain.close(1000));

  // Lines long enough that the kernel's socket buffers cannot hide the stall.
  const padding = ` ${'x'.repeat(150)}`;
  let mostQueued = 0;
  await burst(LINES, 2000, (seq) => drain.push(appLine(seq, padding)), () => {
    mostQueued = Math.max(mostQueued, drain.stats().queued);
    return new Promise<void>((resolve) => setImmediate(resolve));
  });
  assert.ok(mostQueued <= DEFAULT_MAX_LINES, `queued ${String(mostQueued)} lines`);
  assert.ok(drain.stats().dropped > 0, 'the stall made the drain drop lines');
  for (const socket of receiver.sockets) socket.resume();

  const app = () => receiver.messages.filter((message) => message.includes(` ${TOKEN} app web.1 - `));
  const notices = () => receiver.messages.filter((message) => message.includes(` ${TOKEN} paas logs - `));
  const noticed = () => notices().reduce((sum, message) => sum + droppedIn(message.slice(message.indexOf(' - - ') + 5)), 0);
  await eventually('every line delivered or reported dropped', () => app().length + noticed() === LINES, 60_000);

  const seqs = app().map(seqOf);
  assert.ok(seqs.every((seq, index) => index === 0 || seq > (seqs[index - 1] ?? -1)), 'delivered lines keep their order');
  assert.equal(seqs.at(-1), LINES - 1, 'the newest lines survive');
  const { delivered, dropped } = drain.stats();
  assert.equal(dropped, noticed());
  assert.equal(delivered, app().length);
  assert.equal(reports.overflows.length, notices().length);
  assert.equal(reports.overflows.reduce((sum, line) => sum + droppedIn(line), 0), dropped);
  assert.deepEqual(reports.errors, []);
});

test('lines pushed while the receiver is down arrive once it is up; the failure is said once', { timeout: 30_000 }, async (t) => {
  const port = await freePort();
  const reports = recordReports();
  const drain = createSyslogDrain(target(`syslog://127.0.0.1:${String(port)}`), reports, { targets: LOOPBACK, retryInitialMs: 50, retryMaxMs: 200 });
  t.after(() => drain.close(1000));
  for (let seq = 0; seq < 500; seq += 1) drain.push(appLine(seq));
  await eventually('a refused connection', () => reports.errors.length > 0);
  // Several retries fail meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 600));
  for (let seq = 500; seq < 1000; seq += 1) drain.push(appLine(seq));

  const server = createServer();
  const receiver = receive(server);
  await listen(server, port);
  t.after(() => stop(server, receiver));
  await eventually('all lines', () => receiver.messages.length === 1000);
  assert.deepEqual(receiver.messages.map(seqOf), Array.from({ length: 1000 }, (_, seq) => seq));
  assert.deepEqual(reports.errors, [
    `Error L13 (drain delivery error): syslog://127.0.0.1:${String(port)} refused the connection: ECONNREFUSED; retrying`,
  ]);
  assert.deepEqual(drain.stats(), { delivered: 1000, dropped: 0, queued: 0, inFlight: 0 });
});

test('syslog+tls verifies the receiver and names it by SNI', async (t) => {
  const dir = await tempDir(t);
  const { key, cert } = await makeCertificate(dir);
  const server = createTlsServer({ key, cert });
  const receiver = receive(server, { tls: true });
  const names: (string | false | null)[] = [];
  server.on('secureConnection', (socket: TLSSocket) => names.push(socket.servername));
  const port = await listen(server);
  t.after(() => stop(server, receiver));

  const trusted = createSyslogDrain(target(`syslog+tls://localhost:${String(port)}`), recordReports(), { targets: LOOPBACK, ca: cert });
  t.after(() => trusted.close(1000));
  for (let seq = 0; seq < 1000; seq += 1) trusted.push(appLine(seq));
  await eventually('all lines over TLS', () => receiver.messages.length === 1000);
  assert.deepEqual(receiver.messages.map(seqOf), Array.from({ length: 1000 }, (_, seq) => seq));
  assert.deepEqual(names, ['localhost']);

  const reports = recordReports();
  const untrusting = createSyslogDrain(target(`syslog+tls://localhost:${String(port)}`), reports, { targets: LOOPBACK, retryInitialMs: 50 });
  t.after(() => untrusting.close(1000));
  untrusting.push(appLine(0));
  await eventually('a TLS failure', () => reports.errors.length > 0);
  assert.deepEqual(reports.errors, [
    `Error L13 (drain delivery error): syslog+tls://localhost:${String(port)} failed the TLS handshake: DEPTH_ZERO_SELF_SIGNED_CERT; retrying`,
  ]);
});

test('a receiver that accepts and drops every connection is one failure episode', { timeout: 30_000 }, async (t) => {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  const port = await listen(server);
  t.after(() => server.close());
  const reports = recordReports();
  const drain = createSyslogDrain(target(`syslog://127.0.0.1:${String(port)}`), reports, { targets: LOOPBACK, retryInitialMs: 20, retryMaxMs: 40 });
  t.after(() => drain.close(100));
  // Lines keep coming, so every retry has something to send.
  const feeding = setInterval(() => drain.push(appLine(0)), 5);
  t.after(() => clearInterval(feeding));
  await eventually('several reconnects', () => connections >= 5);
  assert.equal(reports.errors.length, 1, reports.errors.join('\n'));
  assert.match(reports.errors[0] ?? '', /^Error L13 \(drain delivery error\): syslog:\/\/127\.0\.0\.1:\d+ (closed the connection|reset the connection: ECONNRESET|closed the connection while lines were being sent: EPIPE); retrying$/);
});

test('close gives up on a receiver that never reads, and leaves nothing open', { timeout: 30_000 }, async (t) => {
  const server = createServer();
  const receiver = receive(server, { paused: true });
  const port = await listen(server);
  t.after(() => stop(server, receiver));
  const drain = createSyslogDrain(target(`syslog://127.0.0.1:${String(port)}`), recordReports(), { targets: LOOPBACK });
  await burst(50_000, 2000, (seq) => drain.push(appLine(seq, ` ${'x'.repeat(500)}`)));
  await drain.close(200);
  const stats = drain.stats();
  assert.ok(stats.queued > 0 || stats.dropped > 0, 'the receiver did not take everything');
  drain.push(appLine(0));
  assert.equal(drain.stats().queued, stats.queued, 'a closed drain takes no more lines');
});
