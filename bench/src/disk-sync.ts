/**
 * The disk's floor for an acknowledged change: write a small block to a file in the data
 * dir and fdatasync it, one after another, as a commit's WAL append and sync would.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Latencies (ms, sorted) of `count` write + fdatasync pairs on a file in `dir`. */
export async function fdatasyncLatencies(dir: string, count: number): Promise<number[]> {
  const path = join(dir, 'bench-fdatasync');
  const file = await open(path, 'w');
  const block = Buffer.alloc(4096, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      await file.write(block, 0, block.length, null);
      await file.datasync();
      times.push(performance.now() - started);
    }
  } finally {
    await file.close();
    await rm(path, { force: true });
  }
  return times.sort((a, b) => a - b);
}
