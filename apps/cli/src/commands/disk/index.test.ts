import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatBytes, formatDisk } from './index.js';

test('disk sizes read as people write them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(2.5 * 1024 ** 3), '2.5 GiB');
});

test('paas disk lists every kind and the total', () => {
  const lines = formatDisk({
    total_bytes: 3 * 1024 ** 2,
    by_kind: { slugs: 1024 ** 2, images: 0, unpacked: 2 * 1024 ** 2, build_cache: 0, repos: 0, temp: 0 },
    keep_releases: 20,
    collectable_bytes: 0,
    collectable: [],
  });
  assert.deepEqual(lines.map((line) => line.replace(/\s+/g, ' ')), [
    'Slugs: 1.0 MiB',
    'Slug images: 0 B',
    'Unpacked slugs: 2.0 MiB',
    'Build caches: 0 B',
    'Git repositories: 0 B',
    'Temporary files: 0 B',
    'Total: 3.0 MiB',
  ]);
});
