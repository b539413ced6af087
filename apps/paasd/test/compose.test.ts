import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';

import { ensureStackImage } from '@paas/stack';

import { gitClient } from './git-client.js';
import { httpGet } from './http-get.js';
import { dockerUnavailable } from './harness.js';
import { removeNetworks } from './paasd-child.js';
import { FIXTURES } from './platform-under-test.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Whatever the paasd in the container left on the host's engine, should the app's removal
 * not have happened or not have finished: its containers (apps, one-offs and build steps all
 * carry the installation's label, derived from the data dir), its network and the slug images it made.
 */
async function removeInstanceLeftovers(docker: Docker, dataDir: string): Promise<void> {
  const instance = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`paas.instance=${instance}`] }) });
  for (const container of containers) await docker.getContainer(container.Id).remove({ force: true });
  // The apps' network, which paasd never removes.
  await removeNetworks(docker, instance);
  const slugsDir = join(dataDir, 'slugs');
  const slugs = new Set(existsSync(slugsDir) ? readdirSync(slugsDir).map((name) => name.replace(/\.tgz$/, '')) : []);
  for (const image of await docker.listImages({ filters: JSON.stringify({ label: ['paas.slug'] }) })) {
    const slug = image.Labels?.['paas.slug'];
    if (slug === undefined || !slugs.has(slug)) continue;
    // Not forced: a container of another installation may run the same slug.
    await docker.getImage(image.Id).remove().catch(() => undefined);
  }
}

test('docker-compose runs the platform in a container that deploys an app through the host engine', { timeout: 30 * 60_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  if ((await run('docker-compose', ['version', '--short'], {})).code !== 0) {
    if (process.env.CI) assert.fail('CI is set but docker-compose is not installed (.ci/run installs it)');
    return t.skip('docker-compose is not installed; CI runs this test');
  }
  const token = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync('/tmp/paas-compose-');
  const [apiPort, routerPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    COMPOSE_PROJECT_NAME: `paastest${randomBytes(3).toString('hex')}`,
    PAAS_API_TOKEN: token,
    PAAS_DATA_DIR: dataDir,
    PAAS_PUBLISHED_PORT: String(apiPort),
    PAAS_PUBLISHED_ROUTER_PORT: String(routerPort),
    PAAS_PUBLISHED_TLS_PORT: String(tlsPort),
  };
  const api = `http://127.0.0.1:${String(apiPort)}`;
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${api}${path}`, {
      method,
      // No content type without a body: Fastify refuses an empty JSON body with 400.
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  t.after(async () => {
    // paasd leaves app containers for its successor: remove the app before taking it down.
    await call('DELETE', '/apps/composed').catch(() => undefined);
    // --rmi all: paasd's own image, made by this test's `up --build` (not the stack it is made from).
    await run('docker-compose', ['down', '--remove-orphans', '--rmi', 'all'], env);
    await removeInstanceLeftovers(new Docker(), dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  // paasd's image is made from the stack image: make that first if this engine lacks it.
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  await ensureStackImage({ docker: new Docker(), workDir }).finally(() => rmSync(workDir, { recursive: true, force: true }));
  t.diagnostic('docker-compose up');
  const up = await run('docker-compose', ['up', '-d', '--build'], env);
  t.diagnostic(`up exited ${String(up.code)}`);
  assert.equal(up.code, 0, up.out.slice(-4000));
  const deadline = Date.now() + 60_000;
  while (!(await httpGet(apiPort, '/healthz').then((r) => r.status === 200, () => false))) {
    if (Date.now() > deadline) assert.fail(`paasd did not become healthy:\n${(await run('docker-compose', ['logs', '--tail', '50'], env)).out}`);
    await sleep(250);
  }

  t.diagnostic('healthy');
  assert.equal((await call('POST', '/apps', { name: 'composed' })).status, 201);
  assert.equal((await call('PUT', '/apps/composed/buildpack-installations', { updates: [{ buildpack: 'procfile' }] })).status, 200);
  const git = gitClient(t, token);
  const repo = await git.repo('composed', { dir: join(FIXTURES, 'py-web') }, `${api}/composed.git`);
  t.diagnostic('pushing');
  const pushed = await git.run(repo, ['push', 'paas', 'main']);
  t.diagnostic(`pushed ${String(pushed.code)}`);
  assert.equal(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /Released v2/);

  // fetch() may not set Host; a plain request can.
  const answer = await httpGet(routerPort, '/', 'composed.localhost');
  assert.equal(answer.status, 200, answer.body);
  assert.equal((JSON.parse(answer.body) as { dyno: string }).dyno, 'web.1');

  // The app's removal takes its containers and its slug's image with it.
  assert.equal((await call('DELETE', '/apps/composed')).status, 200);
  const docker = new Docker();
  const instance = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`paas.instance=${instance}`] }) });
  assert.deepEqual(left.map((container) => container.Names), []);
});
