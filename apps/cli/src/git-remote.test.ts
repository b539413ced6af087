import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { addRemote, appFromGitUrl, getRemoteUrl, isInsideWorkTree, removeRemote } from './git-remote.js';

describe('appFromGitUrl', () => {
  const cases: [string, string | undefined][] = [
    ['http://localhost:5100/demo.git', 'demo'],
    ['https://paas.example.com/my-app-2.git', 'my-app-2'],
    ['https://paas.example.com/demo.git/', 'demo'],
    ['http://user:pw@localhost:5100/demo.git', 'demo'],
    ['git@paas.example.com:demo.git', 'demo'],
    ['http://localhost:5100/demo', undefined],
    ['http://localhost:5100/Demo.git', undefined],
    ['http://localhost:5100/.git', undefined],
    ['http://localhost:5100/x%2F..%2Fy.git', undefined],
    ['not a url', undefined],
  ];
  for (const [url, app] of cases) {
    it(`${url} → ${String(app)}`, () => assert.equal(appFromGitUrl(url), app));
  }
});

describe('git remotes (real git)', () => {
  let repo: string;
  let outside: string;
  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'paas-remote-'));
    outside = await mkdtemp(join(tmpdir(), 'paas-no-repo-'));
    execFileSync('git', ['init', '--quiet', repo]);
  });
  after(async () => {
    await rm(repo, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('knows a work tree from a plain directory', async () => {
    assert.equal(await isInsideWorkTree(repo), true);
    assert.equal(await isInsideWorkTree(outside), false);
  });

  it('adds, reads and removes a remote, even one named like an option', async () => {
    assert.equal(await getRemoteUrl(repo, 'paas'), undefined);
    await addRemote(repo, 'paas', 'http://localhost:5100/demo.git');
    await addRemote(repo, '--weird', 'http://localhost:5100/other.git');
    assert.equal(await getRemoteUrl(repo, 'paas'), 'http://localhost:5100/demo.git');
    assert.equal(await getRemoteUrl(repo, '--weird'), 'http://localhost:5100/other.git');
    await removeRemote(repo, 'paas');
    assert.equal(await getRemoteUrl(repo, 'paas'), undefined);
  });

  it('reads no remote outside a repository', async () => {
    assert.equal(await getRemoteUrl(outside, 'paas'), undefined);
  });
});
