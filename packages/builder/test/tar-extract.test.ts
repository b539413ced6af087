import assert from 'node:assert/strict';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { ArchiveLimitError, ArchiveTooLargeError, TarFormatError, UnsafePathError, extractTar } from '../src/index.js';
import { type TarTestEntry, makeTar } from './tar-writer.js';
import { tempDir } from './temp-dir.js';

/** Extracts into `<parent>/app` so escapes would land in `<parent>`, where we look for them. */
async function extractInto(entries: readonly TarTestEntry[]): Promise<{ parent: string; app: string; result: Promise<unknown> }> {
  const parent = await tempDir();
  const app = join(parent, 'app');
  const result = extractTar(Readable.from([makeTar(entries)]), app);
  return { parent, app, result };
}

async function assertRefused(entries: readonly TarTestEntry[], reason: RegExp): Promise<void> {
  const { parent, result } = await extractInto(entries);
  await assert.rejects(result, (error: unknown) => error instanceof UnsafePathError && reason.test(error.message));
  assert.deepEqual((await readdir(parent)).filter((name) => name !== 'app'), [], 'nothing was written outside the target');
}

describe('extractTar refuses entries that reach outside the target', () => {
  it('refuses a `..` entry', async () => {
    await assertRefused([{ name: '../evil', body: 'x' }], /"\.\.\/evil".*climbs out of the target directory/);
  });

  it('refuses `..` in the middle of a path', async () => {
    await assertRefused([{ name: 'a/../../evil', body: 'x' }], /climbs out/);
  });

  it('refuses an absolute path', async () => {
    await assertRefused([{ name: '/tmp/evil', body: 'x' }], /absolute path/);
  });

  it('refuses a symbolic link to an absolute path', async () => {
    await assertRefused([{ name: 'etc', type: 'symlink', linkName: '/etc' }], /symbolic link to the absolute path "\/etc"/);
  });

  it('refuses a symbolic link that climbs out', async () => {
    await assertRefused([{ name: 'sub/up', type: 'symlink', linkName: '../../outside' }], /points outside the app/);
  });

  it('refuses writing through a symbolic link, even one that points inside', async () => {
    await assertRefused(
      [
        { name: 'here', type: 'symlink', linkName: '.' },
        { name: 'here/up', type: 'symlink', linkName: '..' },
      ],
      /written through the symbolic link here/,
    );
  });

  it('refuses a chain of links that leads outside', async () => {
    await assertRefused(
      [
        { name: 'here', type: 'symlink', linkName: '.' },
        { name: 'escape', type: 'symlink', linkName: 'here/..' },
      ],
      /leads outside the app through other links/,
    );
  });

  it('refuses hard links to anything but a file unpacked before', async () => {
    await assertRefused([{ name: 'passwd', type: 'hardlink', linkName: '/etc/passwd' }], /absolute path/);
    await assertRefused([{ name: 'x', type: 'hardlink', linkName: '../x' }], /climbs out/);
    await assertRefused([{ name: 'x', type: 'hardlink', linkName: 'missing' }], /not a file unpacked before it/);
    await assertRefused(
      [
        { name: 'here', type: 'symlink', linkName: '.' },
        { name: 'x', type: 'hardlink', linkName: 'here/file' },
      ],
      /not a file unpacked before it/,
    );
  });
});

describe('extractTar unpacks ordinary archives', () => {
  it('writes files, directories, inside links and hard links with their modes (no set-id bits)', async () => {
    const { app, result } = await extractInto([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/server', body: '#!/bin/sh\necho hi\n', mode: 0o4755 },
      { name: './lib/deep/file.txt', body: 'deep' },
      { name: 'lib/deep/link', type: 'symlink', linkName: '../../bin/server' },
      { name: 'lib/copy', type: 'hardlink', linkName: 'lib/deep/file.txt' },
    ]);
    await result;
    assert.equal((await stat(join(app, 'bin/server'))).mode & 0o7777, 0o755);
    assert.equal(await readFile(join(app, 'lib/deep/file.txt'), 'utf8'), 'deep');
    assert.equal(await readlink(join(app, 'lib/deep/link')), '../../bin/server');
    assert.equal(await readFile(join(app, 'lib/copy'), 'utf8'), 'deep');
    assert.equal((await stat(join(app, 'lib/copy'))).nlink, 2);
  });

  it('replaces an earlier link with a file instead of writing through it', async () => {
    const { app, result } = await extractInto([
      { name: 'target.txt', body: 'original' },
      { name: 'name', type: 'symlink', linkName: 'target.txt' },
      { name: 'name', body: 'replacement' },
    ]);
    await result;
    assert.equal(await readFile(join(app, 'target.txt'), 'utf8'), 'original');
    assert.equal((await lstat(join(app, 'name'))).isFile(), true);
    assert.equal(await readFile(join(app, 'name'), 'utf8'), 'replacement');
  });

  it('refuses data that is not a tar archive', async () => {
    const dir = await tempDir();
    await assert.rejects(extractTar(Readable.from([Buffer.alloc(512, 'x')]), join(dir, 'app')), TarFormatError);
  });

  it('stops at the size limit', async () => {
    const dir = await tempDir();
    const tar = makeTar([{ name: 'big', body: Buffer.alloc(4096) }]);
    await assert.rejects(extractTar(Readable.from([tar]), join(dir, 'app'), { maxBytes: 1000 }), ArchiveTooLargeError);
  });

  it('says which limit on its shape an archive passes: entries, depth', async () => {
    const dir = await tempDir();
    const many = makeTar([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await assert.rejects(extractTar(Readable.from([many]), join(dir, 'one'), { limits: { entries: 2 } }), (error: unknown) =>
      error instanceof ArchiveLimitError && error.message === 'The archive has more than 2 entries.');
    const deep = makeTar([{ name: 'a/b/c/d/e', body: Buffer.from('x') }]);
    await assert.rejects(extractTar(Readable.from([deep]), join(dir, 'two'), { limits: { depth: 3 } }), (error: unknown) =>
      error instanceof ArchiveLimitError && /has a path 5 levels deep, beyond the limit of 3/.test(error.message));
  });

  it('reads archives split into odd-sized chunks', async () => {
    const dir = await tempDir();
    const tar = makeTar([
      { name: 'a.txt', body: 'a'.repeat(700) },
      { name: 'b.txt', body: 'b'.repeat(3) },
    ]);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < tar.length; offset += 77) chunks.push(tar.subarray(offset, offset + 77));
    const summary = await extractTar(Readable.from(chunks), join(dir, 'app'));
    assert.equal(summary.files, 2);
    assert.equal(await readFile(join(dir, 'app', 'a.txt'), 'utf8'), 'a'.repeat(700));
    assert.equal(await readFile(join(dir, 'app', 'b.txt'), 'utf8'), 'bbb');
  });
});
