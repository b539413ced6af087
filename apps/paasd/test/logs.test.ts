import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { test } from 'node:test';

import type { LogDrainResource, LogSessionResource, LogStreamFrame } from '@paas/core';
import WebSocket from 'ws';

import { startHarness } from './harness.js';
import { startPlatform } from './platform-under-test.js';
import type { PlatformUnderTest } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' };

/** A `paas logs --tail`: every frame of a log session, as it arrives. */
async function tail(p: PlatformUnderTest, app: string, body: Record<string, unknown> = {}): Promise<{ frames: LogStreamFrame[]; text: () => string; close: () => void }> {
  const session = (await p.h.send('POST', `/apps/${app}/log-sessions`, body)).json<LogSessionResource>();
  const socket = new WebSocket(`${p.api.replace('http', 'ws')}${new URL(session.logplex_url).pathname}`);
  const frames: LogStreamFrame[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as LogStreamFrame));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const text = (): string => frames.map((f) => (f.type === 'line' ? `${f.source}[${f.process}]: ${f.line}` : `missed ${String(f.count)}`)).join('\n');
  return { frames, text, close: () => socket.close() };
}

/** A syslog receiver over TCP that splits RFC 6587 octet-counted frames. */
async function syslogReceiver(t: { after: (fn: () => void | Promise<void>) => void }): Promise<{ port: number; frames: string[] }> {
  const frames: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const space = buffered.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffered.subarray(0, space).toString('ascii'));
        if (buffered.length < space + 1 + length) break;
        frames.push(buffered.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffered = buffered.subarray(space + 1 + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { port: address.port, frames };
}

test('paas logs --tail shows the build, the deploy, the app and the router as they happen', { timeout: 300_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  await p.h.send('POST', '/apps', { name: 'demo' });
  const live = await tail(p, 'demo');
  t.after(live.close);
  const pushed = await p.pushFixture('demo', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('the app line of web.1', () => /app\[web\.1\]: listening on/.test(live.text()), 10_000);
  assert.match(live.text(), /paas\[build\]: Build started by admin@example\.test \(commit [0-9a-f]{7}\)/);
  assert.match(live.text(), /paas\[api\]: Release v2 created by admin@example\.test: Deploy [0-9a-f]{7}/);
  assert.match(live.text(), /paas\[deploy\]: Deploying v2/);
  assert.match(live.text(), /paas\[web\.1\]: State changed from starting to up/);
  assert.equal((await p.get('demo', '/hello')).status, 200);
  await p.until('a router line for the request', () => /paas\[router\]: at=info method=GET path="\/hello" host=demo\.example\.test .*status=200/.test(live.text()), 5_000);
  await p.until('the app line for the request', () => /app\[web\.1\]: request "GET \/hello/.test(live.text()), 5_000);

  await p.h.send('PATCH', '/apps/demo/config-vars', { SECRET_TOKEN: 'do-not-log-me' });
  await p.until('the config line', () => /paas\[api\]: Set SECRET_TOKEN config vars by admin/.test(live.text()), 5_000);
  assert.doesNotMatch(live.text(), /do-not-log-me/);

  // The kept lines answer `paas logs`, filtered as asked.
  const routerOnly = await p.h.request({ url: '/apps/demo/logs?ps=router&lines=5' });
  assert.match(routerOnly.body, /^\S+ paas\[router\]: at=info method=GET path="\/hello"/m);
  assert.doesNotMatch(routerOnly.body, /app\[/);
  const appOnly = await tail(p, 'demo', { source: 'app', tail: false, lines: 1500 });
  await p.until('the session to send what is kept', () => appOnly.frames.length > 0, 5_000);
  assert.ok(appOnly.frames.every((f) => f.type === 'line' && f.source === 'app'), appOnly.text());
});

test('a drain gets a 100,000-line burst in order, framed as RFC 5424 with the drain token; any line dropped is counted', { timeout: 300_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const receiver = await syslogReceiver(t);
  const pushed = await p.pushFixture('drained', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  const added = await p.h.send('POST', '/apps/drained/log-drains', { url: `syslog://127.0.0.1:${String(receiver.port)}` });
  assert.equal(added.statusCode, 201, added.body);
  const drain = added.json<LogDrainResource>();
  assert.match(drain.token, /^d\.[0-9a-f-]{36}$/);

  // A burst: `seq` writes it as fast as the pipe takes it. The drain delivers as fast as
  // the receiver (in this process, on a shared machine) takes it; when that is slower than
  // the burst, the drain's bound (50,000 lines) drops the oldest and says how many in L10
  // lines. Either way: what arrives is in order, and arrived + reported dropped = written.
  const lines = 100_000;
  const run = await p.h.send('POST', '/apps/drained/dynos', { command: `seq 1 ${String(lines)}` });
  assert.equal(run.statusCode, 201, run.body);
  const { name } = run.json<{ name: string }>();
  const numbers = (): number[] =>
    receiver.frames.filter((frame) => frame.includes(` app ${name} - `)).map((frame) => Number(frame.slice(frame.lastIndexOf(' - ') + 3)));
  const dropped = (): number =>
    p.h.platform.logs
      .recent('drained', 1500)
      .map((event) => /^Error L10 \(output buffer overflow\): (\d+) messages dropped/.exec(event.line)?.[1])
      .reduce((sum: number, count) => sum + (count === undefined ? 0 : Number(count)), 0);
  await p.until(`${String(lines)} lines at the receiver or reported dropped`, () => numbers().length + dropped() >= lines, 60_000).catch((error: unknown) => {
    throw new Error(`${String(numbers().length)} of ${String(lines)} lines arrived, ${String(dropped())} reported dropped; the first frames:\n${receiver.frames.slice(0, 5).join('\n')}\nkept log:\n${p.h.platform.logs.recent('drained', 20).map((e) => e.line).join('\n')}`, { cause: error });
  });
  const arrived = numbers();
  assert.equal(arrived.length + dropped(), lines, 'every line arrived or was counted as dropped, none twice');
  assert.ok(arrived.every((n, i) => n >= 1 && n <= lines && (i === 0 || n > (arrived[i - 1] ?? 0))), 'in order, without repeats');
  if (dropped() === 0) assert.deepEqual(arrived, Array.from({ length: lines }, (_, i) => i + 1));
  // The newest lines are the ones kept: the last line always arrives.
  assert.equal(arrived.at(-1), lines);
  const first = receiver.frames.find((frame) => frame.includes(` app ${name} - `)) ?? '';
  assert.match(first, new RegExp(`^<190>1 \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${drain.token.replace(/\./g, '\\.')} app ${name} - - ${String(arrived[0])}$`));

  // Removed by its token: nothing more arrives.
  const removed = await p.h.request({ method: 'DELETE', url: `/apps/drained/log-drains/${drain.token}` });
  assert.equal(removed.statusCode, 200, removed.body);
  assert.deepEqual((await p.h.request({ url: '/apps/drained/log-drains' })).json(), []);
});

test('drain URLs are checked, limited to five an app, and never shown back with their credentials', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  for (const [url, pattern] of [
    ['ftp://logs.example.com:21', /syslog:\/\/, syslog\+tls:\/\/ or https:\/\//],
    ['http://logs.example.com/', /syslog:\/\/, syslog\+tls:\/\/ or https:\/\//],
    ['syslog://[fd00:ec2::254]:514', /fd00:ec2::254 is a metadata address/],
    ['syslog://logs.example.com', /port/],
    ['https://169.254.169.254/latest', /link-local|metadata/],
    ['not a url', /URL/],
  ] as const) {
    const refused = await h.send('POST', '/apps/demo/log-drains', { url });
    assert.equal(refused.statusCode, 422, `${url}: ${refused.body}`);
    assert.equal(refused.json<{ id: string }>().id, 'invalid_params');
    assert.match(refused.json<{ message: string }>().message, pattern);
  }
  const secret = await h.send('POST', '/apps/demo/log-drains', { url: 'https://user:s3cret-pass@logs.example.com/ingest?token=abcdef123' });
  assert.equal(secret.statusCode, 201, secret.body);
  const listed = await h.request({ url: '/apps/demo/log-drains' });
  assert.doesNotMatch(listed.body, /s3cret-pass|abcdef123/);
  assert.doesNotMatch(h.logs(), /s3cret-pass|abcdef123/);
  for (let i = 1; i < 5; i += 1) assert.equal((await h.send('POST', '/apps/demo/log-drains', { url: `syslog://logs.example.com:${String(500 + i)}` })).statusCode, 201);
  const sixth = await h.send('POST', '/apps/demo/log-drains', { url: 'syslog://logs.example.com:600' });
  assert.equal(sixth.statusCode, 422);
  assert.match(sixth.json<{ message: string }>().message, /5 drains already/);
});

test('without PAAS_ALLOW_PRIVATE_TARGETS, drains and buildpacks cannot target loopback or private addresses', async (t) => {
  const h = await startHarness(t, { PAAS_ALLOW_PRIVATE_TARGETS: '0' });
  await h.send('POST', '/apps', { name: 'demo' });
  for (const url of ['syslog://127.0.0.1:514', 'https://[::ffff:127.0.0.1]/', 'https://2130706433/', 'syslog://10.1.2.3:514', 'https://[fd12::1]/']) {
    const refused = await h.send('POST', '/apps/demo/log-drains', { url });
    assert.equal(refused.statusCode, 422, url);
    assert.match(refused.json<{ message: string }>().message, /is not allowed .*PAAS_ALLOW_PRIVATE_TARGETS=1/, url);
  }
  for (const buildpack of ['https://169.254.169.254/x.git', 'https://127.0.0.1/x.git', 'ssh://-oProxyCommand=touch%20/tmp/x/y.git', 'git@example.com:x.git']) {
    const refused = await h.request({ method: 'PUT', url: '/apps/demo/buildpack-installations', payload: { updates: [{ buildpack }] } });
    assert.equal(refused.statusCode, 422, buildpack);
  }
});

test('a log session opens once, and an unknown one is a 404 before any upgrade', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const missing = await h.request({ url: '/log-sessions/aaaaaaaaaaaaaaaaaaaaaaaa' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ id: string }>().id, 'not_found');
  const bad = await h.send('POST', '/apps/demo/log-sessions', { lines: 5000 });
  assert.equal(bad.statusCode, 422);
  const unknownApp = await h.send('POST', '/apps/nope/log-sessions', {});
  assert.equal(unknownApp.statusCode, 404);

  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const session = (await h.send('POST', '/apps/demo/log-sessions', { tail: false })).json<LogSessionResource>();
  const open = (): Promise<number> =>
    new Promise((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${String(address.port)}${new URL(session.logplex_url).pathname}`);
      socket.on('close', (code) => resolve(code));
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
  assert.equal(await open(), 1000);
  assert.equal(await open(), 404);
});
