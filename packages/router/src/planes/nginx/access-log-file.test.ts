import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { followAccessLog } from './access-log-file.js';

/** Writes like nginx: an O_APPEND descriptor kept open, reopened by path when told to. */
function appendingWriter(path: string) {
  let fd = openSync(path, 'a');
  return {
    write: (text: string) => writeSync(fd, text),
    reopen: () => {
      closeSync(fd);
      fd = openSync(path, 'a');
    },
    close: () => closeSync(fd),
  };
}

test('every line is read once and in order across rotations, including lines written to the rotated file after the reopen signal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paas-access-log-'));
  const path = join(dir, 'access.log');
  const writer = appendingWriter(path);
  const seen: string[] = [];
  let reopens = 0;
  let pendingReopen = false;
  const log = await followAccessLog(path, {
    onLine: (line) => seen.push(line),
    onError: (error) => assert.fail(String(error)),
    // A worker reopens a moment after the master's signal: lines keep going to the old file until then.
    reopen: () => {
      reopens += 1;
      pendingReopen = true;
    },
    rotateAfterBytes: 4096,
    pollMs: 5,
    rotatedGraceMs: 100,
  });
  const total = 3000;
  for (let i = 0; i < total; i += 1) {
    // Lines are sometimes written in two parts, as a read can land in the middle of a write.
    const line = `line ${String(i)} ${'x'.repeat(i % 50)}\n`;
    if (i % 7 === 0) {
      writer.write(line.slice(0, 5));
      await sleep(0);
      writer.write(line.slice(5));
    } else writer.write(line);
    if (pendingReopen && i % 3 === 0) {
      pendingReopen = false;
      writer.reopen();
    }
    if (i % 100 === 0) await sleep(2);
  }
  writer.close();
  await log.drain();
  await log.close();
  assert.ok(reopens >= 3, `rotated ${String(reopens)} times`);
  assert.equal(seen.length, total);
  assert.deepEqual(seen.map((line) => Number(line.split(' ')[1])), [...Array(total).keys()]);
  assert.equal(existsSync(`${path}.1`), false, 'the rotated file is removed once read');
  await rm(dir, { recursive: true, force: true });
});
