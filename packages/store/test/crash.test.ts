import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

import { createStore } from '../src/index.js';
import { tempDir } from './temp-dir.js';

test('a writer killed with SIGKILL mid-write loses no acknowledged release or config version', async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, [join(import.meta.dirname, 'crash-writer.js'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let lastAck = { version: 0, counter: -1 };
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [, version, counter] = line.split(' ');
        lastAck = { version: Number(version), counter: Number(counter) };
      }
      // Kill it in the middle of its stream of writes, well past start-up.
      if (lastAck.version >= 200 && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
  });
  assert.ok(lastAck.version >= 200, `the writer acknowledged only ${String(lastAck.version)} releases`);

  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  const releases = store.deploys.listReleases('demo');
  const current = store.deploys.currentRelease('demo');
  assert.ok(current.version >= lastAck.version, `current v${String(current.version)} is older than acknowledged v${String(lastAck.version)}`);
  // Contiguous: v1 … vN with no gap and no duplicate.
  assert.deepEqual(releases.map((r) => r.version), Array.from({ length: releases.length }, (_, i) => releases.length - i));
  const acked = store.deploys.findRelease('demo', String(lastAck.version));
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo'), acked.configVersion), { COUNTER: String(lastAck.counter) });
  assert.equal(store.deploys.configOf(store.apps.require('demo')).COUNTER, String(current.version - 2));
});
