import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createSlugStore } from '@paas/builder';
import { unmountUnder } from '@paas/runtime';
import { createStore } from '@paas/store';

import { TOKEN } from './harness.js';

const DIST = join(import.meta.dirname, '..', 'src');
/** The launcher, run as a program as every start does. */
const PAASD = join(import.meta.dirname, '..', '..', 'bin', 'paasd.js');
const STOP = join(DIST, 'stop-command.js');

/** An app whose current release runs `web: python3 -m http.server`, as a finished push leaves it. */
async function seedApp(dataDir: string): Promise<void> {
  const appDir = join(dataDir, 'app-src');
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'Procfile'), 'web: exec python3 -m http.server "$PORT"\n');
  const tgz = join(dataDir, 'slug.tgz');
  const tar = spawnSync('tar', ['-czf', tgz, '-C', appDir, '.'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const stored = await createSlugStore({ root: join(dataDir, 'slugs') }).put(tgz);
  const store = createStore({ dataDir });
  try {
    const { app } = store.apps.create('web', 'admin');
    const slug = store.slugs.create({
      appId: app.id,
      checksum: stored.id,
      processTypes: { web: 'exec python3 -m http.server "$PORT"' },
      buildpacks: ['procfile'],
      commit: '1a2b3c4d5e6f',
      size: stored.size,
      stack: 'paas-24',
    });
    store.deploys.createRelease('web', { slugId: slug.id, description: 'Deploy 1a2b3c4', actor: 'admin', status: 'succeeded' });
  } finally {
    store.close();
  }
}

/** True while the pid runs; a zombie has ended (where PID 1 does not reap orphans, zombies linger). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false; // no such process
  }
};

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The pid (= process group) of the app's running web process, from the local driver's record. */
function webPid(dataDir: string): number | undefined {
  const processes = join(dataDir, 'local', 'processes');
  let ids: string[];
  try {
    ids = readdirSync(processes);
  } catch {
    return undefined; // not made until the first process starts
  }
  for (const id of ids) {
    try {
      const record = JSON.parse(readFileSync(join(processes, id, 'process.json'), 'utf8')) as { process: { pid: number }; exit?: unknown };
      if (!record.exit && alive(record.process.pid)) return record.process.pid;
    } catch {
      // a record still being written: read again on the next poll
    }
  }
  return undefined;
}

function runStop(dataDir: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [STOP, ...args], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: 'local', PAAS_STOP_GRACE: '2' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: result.stdout + result.stderr };
}

test('npm stop stops paasd and leaves the apps to be adopted; npm stop -- --all stops the apps too', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paasd-stop-'));
  // What a failed run leaves behind, for the cleanup.
  const started: { paasd?: ChildProcess; pgid?: number } = {};
  t.after(async () => {
    started.paasd?.kill('SIGKILL');
    if (started.pgid !== undefined && alive(started.pgid)) process.kill(-started.pgid, 'SIGKILL');
    await unmountUnder(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
  await seedApp(dataDir);
  let output = '';
  const child = spawn(PAASD, [], {
    cwd: dataDir,
    env: { PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: 'local', PAAS_API_TOKEN: TOKEN, PORT: '0', PAAS_ROUTER_PORT: '0', PAAS_RENDEZVOUS_PORT: '0', PAAS_ROUTER_TLS_PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.paasd = child;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const pidFile = join(dataDir, 'run', 'paasd.pid');
  await until('the pid file', () => (alive(child.pid ?? 0) ? (statSync(pidFile, { throwIfNoEntry: false }) ?? undefined) : undefined)).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${output}`);
  });
  assert.equal(statSync(pidFile).mode & 0o777, 0o600);
  assert.equal((JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid, child.pid);
  const pgid = await until('the web process', () => webPid(dataDir));
  started.pgid = pgid;

  const stopped = runStop(dataDir, []);
  assert.equal(stopped.status, 0, stopped.out);
  assert.match(stopped.out, new RegExp(`Stopped paasd \\(pid ${String(child.pid)}\\)`));
  assert.match(stopped.out, /App processes keep running/);
  await exited;
  assert.equal(statSync(pidFile, { throwIfNoEntry: false }), undefined, 'a clean exit removes the pid file');
  assert.ok(alive(pgid), 'the app process outlives paasd, to be adopted');

  const all = runStop(dataDir, ['--all']);
  assert.equal(all.status, 0, all.out);
  assert.match(all.out, /paasd is not running/);
  assert.match(all.out, /Stopped web\.1 of web\./);
  assert.equal(alive(pgid), false, 'the app process is gone');
  assert.deepEqual(readdirSync(join(dataDir, 'local', 'processes')), []);

  const usage = runStop(dataDir, ['--everything']);
  assert.equal(usage.status, 2);
  assert.match(usage.out, /usage: npm stop/);
});
