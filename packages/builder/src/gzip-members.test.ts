import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { MEMBER_BYTES, createMemberGzip, pruneMemberCache } from './gzip-members.js';

const compress = (input: Buffer, cacheDir?: string): Promise<Buffer> =>
  buffer(Readable.from([input.subarray(0, 1000), input.subarray(1000)]).pipe(createMemberGzip({ level: 1, ...(cacheDir ? { cacheDir } : {}) })));

test('members decompress as one stream, and the cache changes no byte of the output', async (t) => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'paas-members-'));
  t.after(() => rm(cacheDir, { recursive: true, force: true }));
  const input = Buffer.concat([Buffer.alloc(MEMBER_BYTES * 2, 'a'), randomBytes(1234)]);
  const plain = await compress(input);
  assert.deepEqual(gunzipSync(plain), input);
  assert.deepEqual(await compress(input, cacheDir), plain, 'first pass, filling the cache');
  assert.equal((await readdir(cacheDir)).length, 2, 'the two full-size pieces of equal bytes share one entry, the tail has its own');
  assert.deepEqual(await compress(input, cacheDir), plain, 'second pass, from the cache');
  assert.deepEqual(gunzipSync(await compress(Buffer.alloc(0))), Buffer.alloc(0), 'no input is still a gzip file');
});

test('cached members unused for a week are pruned', async (t) => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'paas-members-'));
  t.after(() => rm(cacheDir, { recursive: true, force: true }));
  await compress(randomBytes(100), cacheDir);
  const [name] = await readdir(cacheDir);
  assert.ok(name);
  await pruneMemberCache(cacheDir);
  assert.deepEqual(await readdir(cacheDir), [name]);
  const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
  await utimes(join(cacheDir, name), old, old);
  await pruneMemberCache(cacheDir);
  assert.deepEqual(await readdir(cacheDir), []);
});
