import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { unmountUnder } from '@paas/runtime';

import { writeShellBuildpack } from './shell-buildpack.js';
import { gitClient } from './git-client.js';

const PAASD_BIN = join(import.meta.dirname, '..', '..', 'bin', 'paasd.js');

interface Paasd {
  readonly child: ChildProcess;
  readonly api: string;
}

/** paasd as its own process on `dataDir`, resolved once the API listens. */
async function launch(dataDir: string, token: string): Promise<Paasd> {
  const child = spawn(process.execPath, [PAASD_BIN], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', PAAS_ROUTER_PORT: '0', PAAS_ROUTER_TLS_PORT: '0', PAAS_DATA_DIR: dataDir, PAAS_API_TOKEN: token, PAAS_RUNTIME: 'local', PAAS_DOMAIN: 'example.test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('paasd did not listen within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`paasd exited (${String(code)})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'api listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
  });
  return { child, api: `http://127.0.0.1:${String(port)}` };
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Every leftover of interrupted work under the data dir. */
function leftovers(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (!existsSync(dir) || depth > 4) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (/^(paas-build-|slug-.*\.tgz$|paas-slug-|tmp_objdir-incoming-|\.incoming-|\.unpack-|\.collected-)/.test(entry.name)) found.push(join(dir, entry.name));
      else if (entry.isDirectory() && !/^[0-9a-f]{64}$/.test(entry.name)) walk(join(dir, entry.name), depth + 1);
    }
  };
  walk(dataDir, 0);
  return found;
}

test('kill -9 during a build, then a restart: no build tree, half-written slug or git quarantine is left', { timeout: 5 * 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-kill-'));
  const token = randomBytes(24).toString('hex');
  const children: ChildProcess[] = [];
  t.after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await unmountUnder(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await launch(dataDir, token);
  children.push(first.child);
  const call = (api: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  const git = gitClient(t, token);
  const marker = join(git.home, 'compiling');
  // A build that writes 8 MB into its tree, says so, and then takes its time.
  const pack = writeShellBuildpack(join(git.home, 'slow-pack'), `head -c 8000000 /dev/urandom > "$1/blob"\ntouch "${marker}"\nsleep 15`);
  assert.equal((await call(first.api, 'POST', '/apps', { name: 'slow' })).status, 201);
  assert.equal((await call(first.api, 'PUT', '/apps/slow/buildpack-installations', { updates: [{ buildpack: pack }] })).status, 200);
  const repo = await git.repo('slow', { files: { 'run.sh': 'exec python3 -m http.server "$PORT"\n', 'big.bin': randomBytes(2_000_000).toString('base64') } }, `${first.api}/slow.git`);
  const push = git.run(repo, ['push', 'paas', 'main']);
  const deadline = Date.now() + 60_000;
  while (!existsSync(marker)) {
    assert.ok(Date.now() < deadline, 'the build never reached its compile step');
    await sleep(50);
  }
  const during = leftovers(dataDir);
  t.diagnostic(`during the build: ${during.map((path) => path.slice(dataDir.length)).join(', ')}`);
  assert.ok(during.some((path) => path.includes('paas-build-')), 'the build tree exists while the build runs');
  first.child.kill('SIGKILL');
  await exited(first.child);
  const pushed = await push;
  assert.notEqual(pushed.code, 0);

  // What a kill a moment later (while the slug was being packed and stored) would leave too.
  writeFileSync(join(dataDir, 'tmp', 'slug-interrupted.tgz'), randomBytes(1000));
  mkdirSync(join(dataDir, 'slugs'), { recursive: true });
  writeFileSync(join(dataDir, 'slugs', '.incoming-interrupted'), randomBytes(1000));
  mkdirSync(join(dataDir, 'repos', 'slow.git', 'objects', 'tmp_objdir-incoming-interrupted'), { recursive: true });
  t.diagnostic(`after kill -9: ${leftovers(dataDir).map((path) => path.slice(dataDir.length)).join(', ')}`);

  const second = await launch(dataDir, token);
  children.push(second.child);
  assert.deepEqual(leftovers(dataDir), []);
  const builds = (await (await call(second.api, 'GET', '/apps/slow/builds')).json()) as { status: string }[];
  assert.equal(builds[0]?.status, 'failed');
  second.child.kill('SIGTERM');
  await exited(second.child);
});
