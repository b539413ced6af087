import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, readdir, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { PaasError } from '@paas/core';

import { SlugTooLargeError, UnsafePathError, createSlugStore, packSlug, unpackSlug } from '../src/index.js';
import { tempDir } from './temp-dir.js';

const LONG_DIR = `node_modules/${'a-rather-long-package-name/'.repeat(5)}lib`;

async function makeApp(root: string): Promise<string> {
  const app = join(root, 'app');
  await mkdir(join(app, 'bin'), { recursive: true });
  await mkdir(join(app, LONG_DIR), { recursive: true });
  await mkdir(join(app, 'empty'), { recursive: true });
  await writeFile(join(app, 'Procfile'), 'web: ./bin/server\n');
  await writeFile(join(app, 'bin', 'server'), '#!/bin/sh\necho serving\n', { mode: 0o755 });
  await writeFile(join(app, LONG_DIR, 'index.js'), 'module.exports = 1;\n');
  await symlink('bin/server', join(app, 'start'));
  return app;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

describe('packSlug', () => {
  it('gives the same bytes for the same files, whatever their times and location', async () => {
    const root = await tempDir();
    const app = await makeApp(root);
    const first = await packSlug(app, join(root, 'one.tgz'));
    await utimes(join(app, 'Procfile'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const copy = join(root, 'elsewhere', 'copy');
    await cp(app, copy, { recursive: true, verbatimSymlinks: true });
    const second = await packSlug(copy, join(root, 'two.tgz'));
    assert.equal(second.sha256, first.sha256);
    assert.equal(second.size, first.size);
    assert.equal(await sha256Of(join(root, 'one.tgz')), first.sha256, 'the sha256 is the file’s');
    assert.equal((await stat(join(root, 'one.tgz'))).size, first.size);

    await writeFile(join(copy, 'Procfile'), 'web: ./bin/server --changed\n');
    assert.notEqual((await packSlug(copy, join(root, 'three.tgz'))).sha256, first.sha256);
  });

  it('round-trips through unpackSlug: modes, links, long paths, empty dirs', async () => {
    const root = await tempDir();
    const app = await makeApp(root);
    await packSlug(app, join(root, 'slug.tgz'));
    const out = join(root, 'out');
    await unpackSlug(join(root, 'slug.tgz'), out);
    assert.equal((await stat(join(out, 'bin', 'server'))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(out, 'start')), 'bin/server');
    assert.equal(await readFile(join(out, LONG_DIR, 'index.js'), 'utf8'), 'module.exports = 1;\n');
    assert.deepEqual(await readdir(join(out, 'empty')), []);
  });

  it('refuses links that point outside the app', async () => {
    const root = await tempDir();
    const app = await makeApp(root);
    await symlink('/etc/passwd', join(app, 'passwd'));
    await assert.rejects(packSlug(app, join(root, 'a.tgz')), (error: unknown) => error instanceof UnsafePathError && error.entry === 'passwd');
    const other = await makeApp(join(root, 'other'));
    await symlink('../../outside', join(other, 'bin', 'up'));
    await assert.rejects(packSlug(other, join(root, 'b.tgz')), /bin\/up.*points outside the app/);
    await assert.rejects(stat(join(root, 'b.tgz')), { code: 'ENOENT' });
  });

  it('stops at the size limit with a clear error and leaves no file', async () => {
    const root = await tempDir();
    const app = await makeApp(root);
    await writeFile(join(app, 'noise.bin'), randomBytes(100_000));
    await assert.rejects(packSlug(app, join(root, 'big.tgz'), { maxBytes: 2000 }), (error: unknown) => {
      assert.ok(error instanceof SlugTooLargeError);
      assert.equal(error.id, 'payload_too_large');
      assert.match(error.message, /over the size limit/);
      return true;
    });
    await assert.rejects(stat(join(root, 'big.tgz')), { code: 'ENOENT' });
  });
});

describe('createSlugStore', () => {
  it('moves a slug in under its sha256, atomically, and finds and removes it', async () => {
    const root = await tempDir();
    const app = await makeApp(root);
    const built = await packSlug(app, join(root, 'built.tgz'));
    const store = createSlugStore({ root: join(root, 'slugs') });
    const stored = await store.put(join(root, 'built.tgz'));
    assert.equal(stored.id, built.sha256);
    assert.equal(stored.size, built.size);
    assert.equal(stored.path, join(root, 'slugs', `${built.sha256}.tgz`));
    assert.equal(store.path(stored.id), stored.path);
    assert.equal(await store.has(stored.id), true);
    assert.equal(await sha256Of(stored.path), stored.id);
    await assert.rejects(stat(join(root, 'built.tgz')), { code: 'ENOENT' }, 'put moves the file');
    assert.deepEqual(await store.list(), [stored.id]);
    assert.deepEqual(await readdir(join(root, 'slugs')), [`${stored.id}.tgz`], 'no temp files left behind');

    await packSlug(app, join(root, 'again.tgz'));
    assert.equal((await store.put(join(root, 'again.tgz'))).id, stored.id, 'the same content is the same slug');

    await store.remove(stored.id);
    assert.equal(await store.has(stored.id), false);
    await store.remove(stored.id);
  });

  it('refuses ids that are not a sha256', () => {
    const store = createSlugStore({ root: '/nonexistent' });
    assert.throws(() => store.path('../../etc/passwd'), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params');
    assert.throws(() => store.path('A'.repeat(64)), PaasError);
  });
});
