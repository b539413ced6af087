import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { rewriteTarOwners } from './tar-format.js';

/** Yields `data` in pieces of `size` bytes, so headers arrive cut across chunks. */
async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

test('rewriteTarOwners names the owner in every header and changes nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-tar-owners-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'app', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'app', 'lib', 'a.js'), 'x'.repeat(1000));
  writeFileSync(join(dir, 'app', `${'n'.repeat(150)}.txt`), 'long name');
  symlinkSync('lib/a.js', join(dir, 'app', 'link'));
  const packed = spawnSync('tar', ['-c', '-f', '-', '--format=gnu', '--owner=0', '--group=0', '--numeric-owner', '-C', join(dir, 'app'), '.'], { maxBuffer: 1 << 24 });
  assert.equal(packed.status, 0);
  const original = packed.stdout;
  for (const size of [1, 100, 513, 1 << 20]) {
    const chunks: Buffer[] = [];
    for await (const chunk of rewriteTarOwners(pieces(original, size), { uid: 1000, gid: 1000, uname: 'app', gname: 'app' })) chunks.push(chunk);
    const rewritten = Buffer.concat(chunks);
    assert.equal(rewritten.length, original.length, `chunks of ${String(size)}`);
    const listed = spawnSync('tar', ['-t', '-v', '-f', '-', '--numeric-owner'], { input: rewritten, encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 5); // ./, lib/, lib/a.js, the long name, link
    for (const line of lines) assert.match(line, /^\S+ 1000\/1000 /);
    const names = spawnSync('tar', ['-t', '-f', '-'], { input: original, encoding: 'utf8' }).stdout;
    assert.equal(spawnSync('tar', ['-t', '-f', '-'], { input: rewritten, encoding: 'utf8' }).stdout, names);
    const named = spawnSync('tar', ['-t', '-v', '-f', '-'], { input: rewritten, encoding: 'utf8' }).stdout;
    assert.match(named, / app\/app /);
  }
});
