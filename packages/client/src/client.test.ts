import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { ApiError } from './api-error.js';
import { createClient } from './client.js';

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

type Answer = { status?: number; body?: unknown; raw?: string; headers?: Record<string, string> };

/** A fetch that records each request and answers from a list, in order. */
function fakeFetch(answers: Answer[]): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    seen.push({
      url: input instanceof Request ? input.url : input.toString(),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const answer = answers.shift() ?? { status: 500, body: { id: 'internal_error', message: 'no answer left' } };
    const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    const status = answer.status ?? 200;
    // a 204 may carry no body at all, not even an empty one
    return Promise.resolve(new Response(status === 204 ? null : text, { status, headers: answer.headers ?? {} }));
  };
  return { fetch: fake, seen };
}

const baseUrl = 'http://paas.test:5100/';
const token = 'tok-123';

describe('createClient', () => {
  it('sends the token, JSON headers and user agent, and encodes app names in paths', async () => {
    const { fetch, seen } = fakeFetch([{ status: 201, body: { name: 'demo' } }, { body: { name: 'demo' } }]);
    const client = createClient({ baseUrl, token, fetch });
    await client.createApp({ name: 'demo' });
    await client.getApp('a/b');
    const [create, get] = seen;
    assert.equal(create?.url, 'http://paas.test:5100/apps');
    assert.equal(create?.method, 'POST');
    assert.equal(create?.body, '{"name":"demo"}');
    assert.equal(create?.headers.get('authorization'), 'Bearer tok-123');
    assert.equal(create?.headers.get('accept'), 'application/json');
    assert.equal(create?.headers.get('content-type'), 'application/json');
    assert.equal(create?.headers.get('user-agent'), 'paas-cli/0.1.0');
    assert.equal(get?.url, 'http://paas.test:5100/apps/a%2Fb');
    assert.equal(get?.headers.get('content-type'), null);
  });

  it('throws ApiError with the id, message and status of an error body', async () => {
    const { fetch } = fakeFetch([{ status: 404, body: { id: 'not_found', message: "Couldn't find that app: x." } }]);
    const error = await createClient({ baseUrl, token, fetch }).getApp('x').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'not_found');
    assert.equal(error.status, 404);
    assert.equal(error.message, "Couldn't find that app: x.");
  });

  it('names an error without a body after its status', async () => {
    const { fetch } = fakeFetch([{ status: 401, raw: 'nope' }]);
    const error = await createClient({ baseUrl, token, fetch }).listApps().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'unauthorized');
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    const { fetch } = fakeFetch([{ status: 200, raw: '<html>' }]);
    const error = await createClient({ baseUrl, token, fetch }).listApps().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'invalid_response');
  });

  it('reads the release version a config change made, or undefined when none', async () => {
    const { fetch, seen } = fakeFetch([
      { body: { A: '1' }, headers: { 'paas-release-version': '5' } },
      { body: { A: '1' } },
    ]);
    const client = createClient({ baseUrl, token, fetch });
    assert.deepEqual(await client.updateConfigVars('demo', { A: '1', B: null }), { vars: { A: '1' }, releaseVersion: 5 });
    assert.deepEqual(await client.updateConfigVars('demo', { A: '1' }), { vars: { A: '1' }, releaseVersion: undefined });
    assert.equal(seen[0]?.method, 'PATCH');
    assert.equal(seen[0]?.body, '{"A":"1","B":null}');
  });

  it('reads one page of releases with a Range header and follows Next-Range', async () => {
    const release = (version: number): { version: number } => ({ version });
    const { fetch, seen } = fakeFetch([
      { status: 206, body: [release(3), release(2)], headers: { 'Next-Range': 'version ]2..; max=2, order=desc' } },
      { status: 206, body: [release(3), release(2)], headers: { 'Next-Range': 'version ]2..; max=2, order=desc' } },
      { status: 200, body: [release(1)] },
    ]);
    const client = createClient({ baseUrl, token, fetch });
    const page = await client.listReleases('demo', { max: 2 });
    assert.deepEqual(page.releases.map((r) => r.version), [3, 2]);
    assert.equal(page.nextRange, 'version ]2..; max=2, order=desc');
    const all = await client.listAllReleases('demo', { pageSize: 2 });
    assert.deepEqual(all.map((r) => r.version), [3, 2, 1]);
    assert.deepEqual(seen.map((s) => s.headers.get('range')), [
      'version ..; max=2, order=desc',
      'version ..; max=2, order=desc',
      'version ]2..; max=2, order=desc',
    ]);
  });

  it('sends rollbacks and formation updates as the API takes them', async () => {
    const { fetch, seen } = fakeFetch([{ status: 201, body: { version: 4 } }, { body: [] }]);
    const client = createClient({ baseUrl, token, fetch });
    await client.rollback('demo', 'v2');
    await client.updateFormation('demo', [{ type: 'web', quantity: '+1', size: 'eco' }]);
    assert.equal(seen[0]?.url, 'http://paas.test:5100/apps/demo/releases');
    assert.equal(seen[0]?.body, '{"release":"v2"}');
    assert.equal(seen[1]?.body, '{"updates":[{"type":"web","quantity":"+1","size":"eco"}]}');
  });

  it('reads builds and their raw output, and purges the build cache', async () => {
    const { fetch, seen } = fakeFetch([
      { body: [{ id: 'b2' }, { id: 'b1' }] },
      { body: { id: 'b/1' } },
      { raw: '-----> Building\n  ✓ done\n', headers: { 'content-type': 'text/plain' } },
      { status: 204 },
    ]);
    const client = createClient({ baseUrl, token, fetch });
    assert.deepEqual((await client.listBuilds('demo')).map((b) => b.id), ['b2', 'b1']);
    await client.getBuild('demo', 'b/1');
    assert.equal(await client.getBuildOutput('demo', 'b1'), '-----> Building\n  ✓ done\n');
    assert.equal(await client.purgeBuildCache('demo'), undefined);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      [
        'GET http://paas.test:5100/apps/demo/builds',
        'GET http://paas.test:5100/apps/demo/builds/b%2F1',
        'GET http://paas.test:5100/apps/demo/builds/b1/output',
        'DELETE http://paas.test:5100/apps/demo/build-cache',
      ],
    );
    assert.match(seen[2]?.headers.get('accept') ?? '', /^text\/plain/);
    assert.equal(seen[2]?.headers.get('authorization'), 'Bearer tok-123');
  });

  it('reports a build output request that fails with its error body', async () => {
    const { fetch } = fakeFetch([{ status: 404, body: { id: 'not_found', message: "Couldn't find that build: b9." } }]);
    const error = await createClient({ baseUrl, token, fetch }).getBuildOutput('demo', 'b9').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'not_found');
    assert.equal(error.message, "Couldn't find that build: b9.");
  });

  it('replaces the buildpack list with PUT, an empty list clearing it', async () => {
    const installation = { ordinal: 0, buildpack: { url: 'nodejs', name: 'nodejs' } };
    const { fetch, seen } = fakeFetch([{ body: [] }, { body: [installation] }, { body: [] }]);
    const client = createClient({ baseUrl, token, fetch });
    assert.deepEqual(await client.listBuildpackInstallations('demo'), []);
    assert.deepEqual(await client.updateBuildpackInstallations('demo', ['nodejs', '/opt/pack']), [installation]);
    await client.updateBuildpackInstallations('demo', []);
    assert.equal(seen[0]?.url, 'http://paas.test:5100/apps/demo/buildpack-installations');
    assert.equal(seen[1]?.method, 'PUT');
    assert.equal(seen[1]?.body, '{"updates":[{"buildpack":"nodejs"},{"buildpack":"/opt/pack"}]}');
    assert.equal(seen[1]?.headers.get('content-type'), 'application/json');
    assert.equal(seen[2]?.body, '{"updates":[]}');
  });

  it('lists, restarts and stops processes, encoding the process in the path', async () => {
    const dyno = { name: 'web.1', type: 'web', state: 'up', release: { version: 5 }, command: 'node server.js', created_at: '2026-11-22T03:07:09.953Z' };
    const { fetch, seen } = fakeFetch([{ body: [dyno] }, { status: 202, body: {} }, { status: 202, body: {} }, { status: 202, body: {} }]);
    const client = createClient({ baseUrl, token, fetch });
    assert.deepEqual(await client.listDynos('demo'), [dyno]);
    assert.equal(await client.restartDynos('demo'), undefined);
    assert.equal(await client.restartDynos('demo', 'web.1'), undefined);
    assert.equal(await client.stopDynos('demo', 'run/1'), undefined);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      [
        'GET http://paas.test:5100/apps/demo/dynos',
        'DELETE http://paas.test:5100/apps/demo/dynos',
        'DELETE http://paas.test:5100/apps/demo/dynos/web.1',
        'POST http://paas.test:5100/apps/demo/dynos/run%2F1/actions/stop',
      ],
    );
    assert.equal(seen[3]?.body, undefined);
  });

  it('reports a process that does not exist with its error id', async () => {
    const { fetch } = fakeFetch([{ status: 404, body: { id: 'not_found', message: "Couldn't find that process: web.9." } }]);
    const error = await createClient({ baseUrl, token, fetch }).restartDynos('demo', 'web.9').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'not_found');
  });

  it('lists, adds and removes custom domains', async () => {
    const domain = { hostname: 'www.example.com', app: { id: 'a1', name: 'demo' }, created_at: '2026-11-22T03:07:09.953Z' };
    const { fetch, seen } = fakeFetch([{ body: [] }, { status: 201, body: domain }, { body: domain }]);
    const client = createClient({ baseUrl, token, fetch });
    assert.deepEqual(await client.listDomains('demo'), []);
    assert.deepEqual(await client.addDomain('demo', 'www.example.com'), domain);
    assert.deepEqual(await client.removeDomain('demo', 'www.example.com'), domain);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url} ${s.body ?? ''}`.trimEnd()),
      [
        'GET http://paas.test:5100/apps/demo/domains',
        'POST http://paas.test:5100/apps/demo/domains {"hostname":"www.example.com"}',
        'DELETE http://paas.test:5100/apps/demo/domains/www.example.com',
      ],
    );
  });

  it('turns maintenance mode on with PATCH on the app', async () => {
    const { fetch, seen } = fakeFetch([{ body: { name: 'demo', maintenance: true } }]);
    const app = await createClient({ baseUrl, token, fetch }).updateApp('demo', { maintenance: true });
    assert.equal(app.maintenance, true);
    assert.equal(seen[0]?.method, 'PATCH');
    assert.equal(seen[0]?.url, 'http://paas.test:5100/apps/demo');
    assert.equal(seen[0]?.body, '{"maintenance":true}');
  });

  it('reads log lines as text, with only the filters given in the query', async () => {
    const text = '2026-11-22T03:07:09.953Z app[web.1]: hello\n';
    const { fetch, seen } = fakeFetch([{ raw: text }, { raw: '' }]);
    const client = createClient({ baseUrl, token, fetch });
    assert.equal(await client.getLogs('demo', { lines: 20, ps: 'web.1', source: 'app' }), text);
    assert.equal(await client.getLogs('demo'), '');
    assert.equal(seen[0]?.url, 'http://paas.test:5100/apps/demo/logs?lines=20&ps=web.1&source=app');
    assert.equal(seen[1]?.url, 'http://paas.test:5100/apps/demo/logs');
    assert.match(seen[0]?.headers.get('accept') ?? '', /^text\/plain/);
  });

  it('names the websocket of paas run with the token, for http and https APIs alike', () => {
    const target = createClient({ baseUrl, token }).runSocket('a b');
    assert.equal(target.url, 'ws://paas.test:5100/apps/a%20b/run');
    assert.equal(target.headers.Authorization, 'Bearer tok-123');
    assert.equal(target.headers['User-Agent'], 'paas-cli/0.1.0');
    assert.equal(createClient({ baseUrl: 'https://paas.example.com/api/', token }).runSocket('demo').url, 'wss://paas.example.com/api/apps/demo/run');
  });

  it('reports an API nobody listens on as unreachable, naming the URL and the fix', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${String(port)}`;
    const error = await createClient({ baseUrl: url, token }).getAccount().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'unreachable');
    assert.equal(error.status, 0);
    assert.match(error.message, new RegExp(url.replace(/\./g, '\\.')));
    assert.match(error.message, /paasd/);
    assert.match(error.message, /PAAS_API_URL/);
  });

  it('gives up on an API that does not answer in time', async () => {
    const server = createServer(() => {
      // never answers: the client's timeout must fire
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = createClient({ baseUrl: `http://127.0.0.1:${String(port)}`, token, timeoutMs: 50 });
      const error = await client.listApps().catch((e: unknown) => e);
      assert.ok(error instanceof ApiError);
      assert.equal(error.id, 'timeout');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
