import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_MEMORY_MB, serverMemorySettings } from './server-memory.js';

test("a plan's memory becomes the server's own settings, fitting inside the container's limit", () => {
  assert.deepEqual(serverMemorySettings('postgresql', DEFAULT_MEMORY_MB.postgresql), ['-c', 'shared_buffers=128MB', '-c', 'effective_cache_size=256MB', '-c', 'maintenance_work_mem=32MB']);
  assert.deepEqual(serverMemorySettings('redis', DEFAULT_MEMORY_MB.redis), ['--maxmemory', '192mb', '--maxmemory-policy', 'noeviction']);
  // Odd sizes round down to whole megabytes.
  assert.deepEqual(serverMemorySettings('postgresql', 100).slice(0, 2), ['-c', 'shared_buffers=25MB']);
  assert.deepEqual(serverMemorySettings('redis', 100).slice(0, 2), ['--maxmemory', '75mb']);
});
