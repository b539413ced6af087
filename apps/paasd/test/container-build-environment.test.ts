import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import Docker from 'dockerode';

import { createContainerEnvironment } from '@paas/builder';
import { DEFAULT_STACK_IMAGE, ensureStackImage } from '@paas/stack';

import { dockerUnavailable } from './harness.js';

test('a container build step marked offline (detect, release) runs with no network; compile keeps it', async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const docker = new Docker();
  const work = mkdtempSync(join(tmpdir(), 'paas-build-env-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  await ensureStackImage({ docker, image: DEFAULT_STACK_IMAGE, workDir: work });
  const environment = createContainerEnvironment({ docker, image: DEFAULT_STACK_IMAGE, labels: { 'paas.test': 'build-env' } });
  const interfaces = async (offline: boolean): Promise<string[]> => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const result = await environment.run('ls', ['/sys/class/net'], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, stdout, stderr: new PassThrough(), offline });
    assert.equal(result.exitCode, 0);
    return text.split(/\s+/).filter(Boolean).sort();
  };
  assert.deepEqual(await interfaces(true), ['lo']);
  assert.ok((await interfaces(false)).includes('eth0'), 'a step that may fetch keeps its network');
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: ['paas.test=build-env'] } }), [], 'each step removes its container');
});
