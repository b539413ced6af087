import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { PaasError } from '@paas/core';

import { DEFAULT_HOOK_SCRIPT, REPO_CONFIG, createRepoStore, renderPreReceiveHook, type RepoStore } from '../src/index.js';

const run = promisify(execFile);

describe('repo store', () => {
  let dir: string;
  let store: RepoStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-repos-'));
    store = createRepoStore({ root: join(dir, 'repos') });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a bare repository on main with the hook and the settings', async () => {
    const path = await store.create('my-app');
    assert.equal(path, join(dir, 'repos', 'my-app.git'));
    assert.equal(await store.exists('my-app'), true);
    assert.equal(await readFile(join(path, 'HEAD'), 'utf8'), 'ref: refs/heads/main\n');
    const { stdout: bare } = await run('git', ['--git-dir', path, 'rev-parse', '--is-bare-repository']);
    assert.equal(bare.trim(), 'true');
    for (const [key, value] of REPO_CONFIG) {
      const { stdout } = await run('git', ['config', '--file', join(path, 'config'), '--get', key]);
      assert.equal(stdout.trim(), value, key);
    }
    const hook = join(path, 'hooks', 'pre-receive');
    assert.equal((await stat(hook)).mode & 0o777, 0o755);
    assert.equal(await readFile(hook, 'utf8'), renderPreReceiveHook(process.execPath, DEFAULT_HOOK_SCRIPT));
    assert.deepEqual((await readdir(join(path, 'hooks'))).sort(), ['pre-receive'], 'no sample hooks');
    assert.deepEqual(await store.list(), ['my-app']);
    assert.deepEqual(await readdir(join(dir, 'repos')), ['my-app.git'], 'no temporary directories left');
  });

  it('refuses to create a repository twice', async () => {
    await assert.rejects(store.create('my-app'), (error: unknown) => error instanceof PaasError && error.id === 'conflict');
  });

  it('checks app names before building any path', async () => {
    for (const name of ['../evil', 'a', 'A-app', '-app', 'app/x', 'x'.repeat(31), 'app.git', '']) {
      assert.throws(() => store.pathOf(name), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params');
      await assert.rejects(store.create(name), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params');
    }
    assert.deepEqual(await readdir(dir), ['repos']);
  });

  it('reads refs', async () => {
    assert.equal(await store.readRef('my-app', 'refs/heads/main'), null);
    await assert.rejects(store.readRef('my-app', '--output=/tmp/x'), /not a full ref name/);
    await assert.rejects(store.readRef('my-app', 'HEAD'), /not a full ref name/);
  });

  it('rewrites a tampered hook', async () => {
    const hook = join(store.pathOf('my-app'), 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\nexit 0\n');
    await chmod(hook, 0o700);
    await store.installHook('my-app');
    assert.equal(await readFile(hook, 'utf8'), renderPreReceiveHook(process.execPath, DEFAULT_HOOK_SCRIPT));
    await assert.rejects(store.installHook('no-such-app'), (error: unknown) => error instanceof PaasError && error.id === 'not_found');
  });

  it('removes a repository, and a missing one quietly', async () => {
    await store.create('short-lived');
    await store.remove('short-lived');
    assert.equal(await store.exists('short-lived'), false);
    await store.remove('short-lived');
    assert.deepEqual(await store.list(), ['my-app']);
  });

  it('writes paths into the hook so that sh reads them back literally', async () => {
    const script = join(dir, "it's $HOME `id` \"q\".sh");
    const hook = join(dir, 'hook.sh');
    await writeFile(hook, renderPreReceiveHook('/bin/echo', script), { mode: 0o755 });
    const { stdout } = await run(hook, []);
    assert.equal(stdout, `${script}\n`);
  });
});
