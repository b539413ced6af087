import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { SlugRef } from '../../driver.js';
import { UnsafeSlugError, seedUnpackedSlug, unpackSlug } from './slug-unpack.js';
import { TAR_END, type TarHeader, tarHeader, tarPadding } from '../shared/tar-format.js';

interface Entry extends TarHeader {
  readonly body?: string;
}

function writeSlug(dir: string, name: string, bytes: Buffer): SlugRef {
  const path = join(dir, `${name}.tgz`);
  writeFileSync(path, bytes);
  return { path, checksum: createHash('sha256').update(bytes).digest('hex') };
}

/** A hand-made archive: GNU tar itself would not write most of these. */
function craft(dir: string, name: string, entries: readonly Entry[]): SlugRef {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    blocks.push(tarHeader({ ...entry, size: entry.type === 'file' ? body.length : 0 }));
    if (entry.type === 'file') blocks.push(body, tarPadding(body.length));
  }
  blocks.push(TAR_END);
  return writeSlug(dir, name, gzipSync(Buffer.concat(blocks)));
}

function setUp(t: { after(fn: () => void): void }) {
  const base = mkdtempSync(join(tmpdir(), 'paas-unpack-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'slugs-unpacked');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  return { base, root, outside };
}

const cases: [string, Entry[], RegExp][] = [
  ['a name with ..', [{ name: '../outside/evil', type: 'file', body: 'x' }], /climbs out/],
  ['an absolute name', [{ name: '/tmp/evil', type: 'file', body: 'x' }], /absolute path/],
  ['an absolute symlink', [{ name: 'etc', type: 'symlink', linkname: '/etc' }], /outside the app/],
  ['a symlink climbing out', [{ name: 'up', type: 'symlink', linkname: '../../outside' }], /outside the app/],
  [
    'a file written through a symlink',
    [
      { name: 'sub', type: 'directory' },
      { name: 'link', type: 'symlink', linkname: 'sub' },
      { name: 'link/file', type: 'file', body: 'x' },
    ],
    /goes through the symbolic link/,
  ],
  [
    'a symlink put over a directory already written into',
    [
      { name: 'sub', type: 'directory' },
      { name: 'sub/file', type: 'file', body: 'x' },
      { name: 'sub', type: 'symlink', linkname: '.' },
    ],
    /goes through the symbolic link/,
  ],
  ['a hard link to an absolute path', [{ name: 'passwd', type: 'hardlink', linkname: '/etc/passwd' }], /absolute path/],
  ['a hard link climbing out', [{ name: 'passwd', type: 'hardlink', linkname: '../outside/secret' }], /climbs out/],
  [
    'a symlink that leaves only through another symlink',
    [
      { name: 'here', type: 'symlink', linkname: '.' },
      { name: 'escape', type: 'symlink', linkname: 'here/..' },
    ],
    /leads outside the app/,
  ],
];

for (const [what, entries, message] of cases) {
  test(`a slug with ${what} is refused and nothing is written`, async (t) => {
    const { base, root, outside } = setUp(t);
    const slug = craft(base, 'evil', entries);
    await assert.rejects(unpackSlug(slug, root), (error: Error) => error instanceof UnsafeSlugError && message.test(error.message));
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(readdirSync(root), [], 'no unpacked dir and no scratch dir remain');
  });
}

test('a slug whose bytes do not match its checksum is refused', async (t) => {
  const { base, root } = setUp(t);
  const slug = craft(base, 'ok', [{ name: 'a.txt', type: 'file', body: 'a' }]);
  await assert.rejects(unpackSlug({ ...slug, checksum: '0'.repeat(64) }, root), /sha256 is/);
});

test('a real slug unpacks with long names, links inside the app and modes kept', async (t) => {
  const { base, root } = setUp(t);
  const app = join(base, 'app');
  const deep = join(app, 'node_modules', 'a'.repeat(90), 'b'.repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'index.js'), 'module.exports = 1;\n');
  mkdirSync(join(app, 'bin'));
  writeFileSync(join(app, 'bin', 'run'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  spawnSync('ln', ['-s', '../bin/run', join(app, 'node_modules', 'run')]);
  for (const format of ['gnu', 'pax']) {
    const path = join(base, `${format}.tgz`);
    const packed = spawnSync('tar', ['-czf', path, `--format=${format}`, '-C', app, '.']);
    assert.equal(packed.status, 0, packed.stderr.toString());
    const slug = { path, checksum: createHash('sha256').update(readFileSync(path)).digest('hex') };
    const dir = await unpackSlug(slug, root);
    assert.equal(dir, join(root, slug.checksum));
    assert.equal(readFileSync(join(dir, 'node_modules', 'a'.repeat(90), 'b'.repeat(90), 'index.js'), 'utf8'), 'module.exports = 1;\n');
    assert.equal(readlinkSync(join(dir, 'node_modules', 'run')), '../bin/run');
    assert.equal(spawnSync(join(dir, 'bin', 'run')).stdout.toString(), 'run\n');
    assert.equal(await unpackSlug(slug, root), dir, 'the second call finds it in place');
  }
});

test('the tree a slug was packed from is taken as its unpacked copy, once, and only with its links inside', async (t) => {
  const { base, root } = setUp(t);
  const checksum = 'a'.repeat(64);
  const tree = join(base, 'built');
  mkdirSync(join(tree, 'bin'), { recursive: true });
  writeFileSync(join(tree, 'bin', 'run'), 'run\n');
  symlinkSync('bin/run', join(tree, 'run'));
  assert.equal(await seedUnpackedSlug(checksum, tree, root), true);
  assert.equal(readFileSync(join(root, checksum, 'run'), 'utf8'), 'run\n');
  assert.equal(existsSync(tree), false, 'moved, not copied');

  const again = join(base, 'again');
  mkdirSync(again);
  assert.equal(await seedUnpackedSlug(checksum, again, root), false, 'already unpacked: the caller keeps its tree');
  assert.equal(existsSync(again), true);

  const escaping = join(base, 'escaping');
  mkdirSync(escaping);
  symlinkSync('../outside', join(escaping, 'up'));
  await assert.rejects(seedUnpackedSlug('b'.repeat(64), escaping, root), /leads outside the app/);
  assert.equal(existsSync(join(root, 'b'.repeat(64))), false);
});
