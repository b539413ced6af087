import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type TestContext, test } from 'node:test';

import Docker from 'dockerode';

import { type BuildEnvironment, type BuildSession, createContainerEnvironment } from '@paas/builder';
import { DEFAULT_STACK_IMAGE, ensureStackImage } from '@paas/stack';

import { dockerUnavailable } from './harness.js';

/** The real engine, the stack image, a work dir removed after the test, and a container environment labelled `label`. */
async function stackEnvironment(t: TestContext, label: string): Promise<{ docker: Docker; work: string; environment: BuildEnvironment }> {
  const docker = new Docker();
  const work = mkdtempSync(join(tmpdir(), `paas-${label}-`));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  await ensureStackImage({ docker, image: DEFAULT_STACK_IMAGE, workDir: work });
  return { docker, work, environment: createContainerEnvironment({ docker, image: DEFAULT_STACK_IMAGE, labels: { 'paas.test': label } }) };
}

test('a container build step marked offline (detect, release) runs with no network; compile keeps it', async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const { docker, environment } = await stackEnvironment(t, 'build-env');
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

test('a build session runs every step in one container: exit status, output, each step its own env, leftovers killed, abort and close remove it', async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const { docker, work, environment } = await stackEnvironment(t, 'build-session');
  const containers = async (): Promise<Docker.ContainerInfo[]> => docker.listContainers({ all: true, filters: { label: ['paas.test=build-session'] } });
  const step = async (
    session: BuildSession,
    script: string,
    env: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> => {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const text = { stdout: '', stderr: '' };
    stdout.on('data', (chunk: Buffer) => (text.stdout += chunk.toString('utf8')));
    stderr.on('data', (chunk: Buffer) => (text.stderr += chunk.toString('utf8')));
    const result = await session.run('bash', ['-c', script, 'step', 'a "quoted" arg'], { cwd: work, env: { PATH: '/usr/bin:/bin', ...env }, stdout, stderr, ...(signal ? { signal } : {}) });
    return { ...result, ...text };
  };

  const controller = new AbortController();
  const session = await environment.open?.({ mounts: [work], signal: controller.signal });
  assert.ok(session, 'the container environment opens sessions');
  try {
    assert.equal((await containers()).length, 1, 'one container for the whole build');
    const first = await step(session, 'echo "out $1"; echo "err $STEP_VAR" >&2; echo kept > "$PWD/file"; exit 3', { STEP_VAR: 'one' });
    assert.deepEqual(first, { exitCode: 3, signal: null, stdout: 'out a "quoted" arg\n', stderr: 'err one\n' });
    const second = await step(session, 'echo "${STEP_VAR:-unset} $(cat file)"');
    assert.deepEqual(second, { exitCode: 0, signal: null, stdout: 'unset kept\n', stderr: '' }, 'the env is the step’s own; the mounts are shared');

    // A daemon a step leaves behind, holding its output open: gone when the step is.
    const daemon = await step(session, 'setsid sleep 300 & echo started');
    assert.equal(daemon.exitCode, 0);
    const left = await step(session, 'ps -eo args= | grep -c "^sleep 300$" || true');
    assert.equal(left.stdout.trim(), '0', 'the step’s leftover was killed with it');

    const stopping = new AbortController();
    setTimeout(() => stopping.abort(), 500);
    const stopped = await step(session, 'sleep 60', {}, stopping.signal);
    assert.deepEqual([stopped.exitCode, stopped.signal], [null, 'SIGKILL']);
  } finally {
    await session.close();
  }
  assert.deepEqual(await containers(), [], 'closing (or aborting) removes the container');
  await session.close(); // twice is fine
});
