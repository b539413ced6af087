import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';

import { collectAllGarbage, shouldCollect, watchIdleHeap, type Collection } from './idle-heap.js';

const MB = 1024 * 1024;

/** Fills the old generation with ~40 MB that becomes garbage when the returned array is dropped. */
function promotedGarbage(): unknown[][] {
  const kept: unknown[][] = [];
  for (let i = 0; i < 100; i += 1) kept.push(Array.from({ length: 10_000 }, (_, j) => ({ j })));
  return kept;
}

test('collects only when both recent intervals were quiet and the heap grew enough', () => {
  const limits = { maxUtilization: 0.02, minGrowthBytes: 8 * MB };
  assert.equal(shouldCollect({ utilization: 0.01, heapBytes: 40 * MB, heapBytesAfterLast: 20 * MB }, limits), true);
  assert.equal(shouldCollect({ utilization: 0.3, heapBytes: 40 * MB, heapBytesAfterLast: 20 * MB }, limits), false);
  assert.equal(shouldCollect({ utilization: 0.01, heapBytes: 25 * MB, heapBytesAfterLast: 20 * MB }, limits), false);
});

test('a collection gives an idle heap back, and leaves live objects alone', async () => {
  let garbage: unknown[][] | undefined = promotedGarbage();
  const live = { still: 'here' };
  const before = getHeapStatistics().total_physical_size;
  assert.equal(garbage.length, 100);
  garbage = undefined;
  await collectAllGarbage();
  const after = getHeapStatistics().total_physical_size;
  assert.ok(after < before - 20 * MB, `heap ${(before / MB).toFixed(1)} → ${(after / MB).toFixed(1)} MB`);
  assert.equal(live.still, 'here');
});

test('collections in a worker thread, one after another, return (the session is not closed inside its callback)', async () => {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(new URL('./idle-heap.js', import.meta.url).href)}).then(async ({ collectAllGarbage }) => {
       for (let i = 0; i < 5; i += 1) await collectAllGarbage();
       parentPort.postMessage('done');
     });`,
    { eval: true },
  );
  try {
    const answer = await Promise.race([
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
      new Promise((resolve) => setTimeout(() => resolve('timed out'), 10_000).unref()),
    ]);
    assert.equal(answer, 'done');
  } finally {
    await worker.terminate();
  }
});

test('watchIdleHeap collects once the thread is quiet, then not again while nothing grows', async () => {
  const collections: Collection[] = [];
  let garbage: unknown[][] | undefined = promotedGarbage();
  assert.equal(garbage.length, 100);
  garbage = undefined;
  const watch = watchIdleHeap({ intervalMs: 50, onCollected: (c) => collections.push(c) });
  try {
    const deadline = Date.now() + 5_000;
    while (collections.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(collections.length, 1);
    const [first] = collections;
    assert.ok(first !== undefined && first.afterBytes < first.beforeBytes - 20 * MB, JSON.stringify(first));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(collections.length, 1);
  } finally {
    watch.stop();
  }
});
