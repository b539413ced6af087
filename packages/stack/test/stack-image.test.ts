import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import { DEFAULT_STACK_IMAGE, LOCAL_CA_DIR, STACK, baseImageOf, ensureStackImage, stackDockerfile, stackRecipe } from '../src/index.js';
import { dockerForTests } from './docker-available.js';

test('base image names', () => {
  assert.equal(baseImageOf('paas/stack:bookworm'), 'paas/stack-base:bookworm');
  assert.equal(baseImageOf('localhost:5000/stack'), 'localhost:5000/stack-base');
  assert.match(stackDockerfile('b:1'), /^FROM b:1\n/);
});

test('the stack image is made from Debian when missing, then reused, and has what builds need', { timeout: 20 * 60_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  t.after(() => rmSync(workDir, { recursive: true, force: true }));
  const lines: string[] = [];
  const info = await ensureStackImage({ docker, workDir, onLine: (line) => lines.push(line) });
  assert.equal(info.image, DEFAULT_STACK_IMAGE);
  assert.equal(info.recipe, stackRecipe(), 'an image of an older recipe is made again');
  const again = await ensureStackImage({ docker, workDir, onLine: (line) => lines.push(`again: ${line}`) });
  assert.equal(again.id, info.id);
  assert.equal(lines.filter((line) => line.startsWith('again:')).length, 0, 'the second call builds nothing');

  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const [result] = (await docker.run(
    DEFAULT_STACK_IMAGE,
    ['bash', '-c', 'echo "stack=$STACK"; git --version; python3 --version; make --version | head -1; curl --version | head -1; id -u app; go version; python3 -m venv /tmp/venv && echo venv-ok'],
    output,
    { HostConfig: { AutoRemove: true } },
  )) as [{ StatusCode: number }];
  assert.equal(result.StatusCode, 0, text);
  assert.match(text, new RegExp(`stack=${STACK}`));
  assert.match(text, /git version/);
  assert.match(text, /Python 3/);
  assert.match(text, /GNU Make/);
  assert.match(text, /^1000$/m);
  assert.match(text, /go version go1/);
  assert.match(text, /venv-ok/);
});

test('the stack trusts the certificate authorities the host added locally', { timeout: 20 * 60_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const local = readdirSync(LOCAL_CA_DIR, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.crt'));
  if (local.length === 0) return t.skip(`no local CAs in ${LOCAL_CA_DIR} on this host`);
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  t.after(() => rmSync(workDir, { recursive: true, force: true }));
  await ensureStackImage({ docker: found.docker, workDir });
  const output = new PassThrough();
  let bundle = '';
  output.on('data', (chunk: Buffer) => (bundle += chunk.toString()));
  await found.docker.run(DEFAULT_STACK_IMAGE, ['cat', '/etc/ssl/certs/ca-certificates.crt'], output, { HostConfig: { AutoRemove: true } });
  for (const name of local) {
    const body = readFileSync(join(LOCAL_CA_DIR, name), 'utf8').split('\n').filter((line) => line && !line.startsWith('-----')).join('\n');
    assert.ok(bundle.replaceAll('\r', '').includes(body.slice(0, 200)), `${name} is in the stack's CA bundle`);
  }
});
