import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { startGitFixture, type GitFixture } from './git-fixture.js';

const T = { timeout: 60_000 };
const lines = (stderr: string): string => stderr.replace(/[ \t]+$/gm, '');

/** Pids of processes whose working directory is `dir` (the hook runs in the repository). */
async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/cwd`)) === dir) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to inspect
    }
  }
  return found;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('a push that is cut off', () => {
  let f: GitFixture;
  beforeEach(async () => {
    f = await startGitFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('kills git when the client disconnects, and tells onPush', T, async () => {
    await f.store.create('cut-off');
    const work = await f.workingCopy('cut-off', { 'a.txt': 'a\n' });
    const started = deferred();
    const aborted = deferred<boolean>();
    f.onPush = async (push) => {
      push.output.write('-----> Building…\n');
      started.resolve();
      const gone = await Promise.race([
        new Promise<boolean>((resolve) => push.signal.addEventListener('abort', () => resolve(true))),
        sleep(30_000, false, { ref: false }),
      ]);
      aborted.resolve(gone);
      return 1;
    };
    const client = f.gitProcess(['push', f.url('cut-off'), 'main'], work);
    const clientExit = new Promise((resolve) => client.once('close', resolve));
    await started.promise;
    assert.ok(client.pid);
    process.kill(-client.pid, 'SIGKILL'); // git and its git-remote-http helper
    await clientExit;

    assert.equal(await aborted.promise, true, 'onPush saw its signal abort');
    const exit = await f.exits.at(-1);
    assert.equal(exit?.killed, true, 'http-backend was killed');
    const repo = f.store.pathOf('cut-off');
    for (let tries = 0; (await processesIn(repo)).length > 0 && tries < 50; tries++) await sleep(100);
    assert.deepEqual(await processesIn(repo), [], 'nothing (receive-pack, the hook) still runs in the repository');
    // git 2.39's receive-pack leaves its quarantine behind when killed mid-hook; the
    // store's janitor removes it.
    const quarantines = async (): Promise<string[]> =>
      (await readdir(join(repo, 'objects'))).filter((name) => name.startsWith('tmp_objdir-'));
    assert.equal(await f.store.removeStaleQuarantines('cut-off'), 0, 'a young quarantine is kept');
    const left = (await quarantines()).length;
    assert.equal(await f.store.removeStaleQuarantines('cut-off', 0), left);
    assert.deepEqual(await quarantines(), []);
    const ref = await f.git(['--git-dir', repo, 'rev-parse', '--verify', '--quiet', 'refs/heads/main']);
    assert.notEqual(ref.code, 0, 'the ref was not updated');
  });

  it('rejects the push when the daemon goes away mid-build', T, async () => {
    await f.store.create('orphaned');
    const work = await f.workingCopy('orphaned', { 'a.txt': 'a\n' });
    let signalled = false;
    f.onPush = async (push) => {
      push.output.write('-----> Building…\n');
      setImmediate(() => void f.pushServer.close());
      await new Promise((resolve) => push.signal.addEventListener('abort', resolve));
      signalled = true;
      return 0;
    };
    const pushed = await f.git(['push', f.url('orphaned'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /^remote: -----> Building…$/m);
    assert.match(lines(pushed.stderr), /^remote: {2}! {5}Lost the connection to paas during the build.*; this push was not deployed\.$/m);
    assert.match(pushed.stderr, /pre-receive hook declined/);
    assert.equal(signalled, true);
  });

  it('an onPush that throws rejects the push with an internal error', T, async () => {
    await f.store.create('throws');
    const work = await f.workingCopy('throws', { 'a.txt': 'a\n' });
    f.onPush = () => Promise.reject(new Error('database is locked'));
    const pushed = await f.git(['push', f.url('throws'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /^remote: {2}! {5}paas failed while handling this push \(internal error\)/m);
    assert.doesNotMatch(pushed.stderr, /database is locked/, 'internal details stay in the platform log');
  });
});
