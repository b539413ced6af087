import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PUSH_ENV } from '../src/index.js';
import { defaultOnPush, startGitFixture, type GitFixture } from './git-fixture.js';

const ZERO = '0'.repeat(40);

/** git pads `remote:` lines with spaces to overwrite progress output; drop the padding. */
const lines = (stderr: string): string => stderr.replace(/[ \t]+$/gm, '');
const T = { timeout: 60_000 };

describe('git smart HTTP with the real git client', () => {
  let f: GitFixture;
  before(async () => {
    f = await startGitFixture();
  });
  after(async () => {
    await f.close();
  });

  const head = async (cwd: string): Promise<string> => (await f.git(['rev-parse', 'HEAD'], cwd)).stdout.trim();
  const remoteRef = (app: string, ref = 'refs/heads/main'): Promise<string | null> => f.store.readRef(app, ref);
  const reset = (): void => {
    f.onPush = defaultOnPush;
    f.ticketEnv = (env) => ({ ...env });
  };

  it('a push to main builds, shows remote: lines and hands over the tree', T, async () => {
    reset();
    await f.store.create('first-app');
    const work = await f.workingCopy('first', {
      'index.js': 'console.log("hi")\n',
      Procfile: 'web: node index.js\n',
      'lib/deep/file.txt': 'deep\n',
    });
    const pushed = await f.git(['push', f.url('first-app'), 'main'], work);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(lines(pushed.stderr), /^remote: -----> Building…$/m);
    assert.match(lines(pushed.stderr), /^remote: -----> Built [0-9a-f]{7}$/m);
    const commit = await head(work);
    assert.equal(await remoteRef('first-app'), commit);

    const record = f.pushes.at(-1);
    assert.ok(record);
    assert.equal(record.push.app, 'first-app');
    assert.equal(record.push.user, 'dev@example.com');
    assert.deepEqual(record.push.deploy, { oldRev: ZERO, newRev: commit, ref: 'refs/heads/main' });
    assert.ok(record.tar);
    const files = (await import('./git-fixture.js')).readTar(record.tar);
    assert.deepEqual([...files.keys()].sort(), ['Procfile', 'index.js', 'lib/deep/file.txt']);
    assert.equal(files.get('lib/deep/file.txt')?.toString(), 'deep\n');
  });

  it('a failing build rejects the push and leaves the ref alone', T, async () => {
    reset();
    await f.store.create('fails-build');
    const work = await f.workingCopy('fails', { 'a.txt': 'a\n' });
    f.onPush = async (push) => {
      push.output.write('-----> Building…\n !     Build failed: no buildpack detected\n');
      return 1;
    };
    const pushed = await f.git(['push', f.url('fails-build'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /^remote: -----> Building…$/m);
    assert.match(lines(pushed.stderr), /^remote: {2}! {5}Build failed: no buildpack detected$/m);
    assert.match(lines(pushed.stderr), /\[remote rejected\] main -> main \(pre-receive hook declined\)/);
    assert.equal(await remoteRef('fails-build'), null);
  });

  it('a push to another branch is refused with the way to deploy it', T, async () => {
    reset();
    await f.store.create('branchy');
    const work = await f.workingCopy('branchy', { 'a.txt': 'a\n' });
    const before = f.pushes.length;
    const pushed = await f.git(['push', f.url('branchy'), 'main:feature'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(
      lines(pushed.stderr),
      /^remote: {2}! {5}Pushed to refs\/heads\/feature; paas deploys only main \(or master\): git push paas feature:main$/m,
    );
    assert.match(lines(pushed.stderr), /pre-receive hook declined/);
    assert.equal(f.pushes.length, before, 'onPush is not called for a refused push');
    assert.equal(await remoteRef('branchy', 'refs/heads/feature'), null);
  });

  it('ref names with shell metacharacters are only ever shown, quoted', T, async () => {
    reset();
    await f.store.create('shelly');
    const work = await f.workingCopy('shelly', { 'a.txt': 'a\n' });
    const evil = '$(touch${IFS}pwned);touch${IFS}pwned2|x&y<z>`touch${IFS}pwned3`\'"';
    const pushed = await f.git(['push', f.url('shelly'), `main:refs/heads/${evil}`], work);
    assert.notEqual(pushed.code, 0);
    const shown = "'refs/heads/$(touch${IFS}pwned);touch${IFS}pwned2|x&y<z>`touch${IFS}pwned3`'\\''\"'";
    const spec = "'$(touch${IFS}pwned);touch${IFS}pwned2|x&y<z>`touch${IFS}pwned3`'\\''\":main'";
    assert.ok(
      lines(pushed.stderr).includes(`remote:  !     Pushed to ${shown}; paas deploys only main (or master): git push paas ${spec}\n`),
      pushed.stderr,
    );
    const dashed = await f.git(['push', f.url('shelly'), 'main:refs/heads/-rf'], work);
    assert.notEqual(dashed.code, 0);
    assert.match(lines(dashed.stderr), /Pushed to refs\/heads\/-rf; paas deploys only main \(or master\): git push paas refs\/heads\/-rf:main$/m);

    const tagged = await f.git(['push', f.url('shelly'), `main:refs/tags/${evil}`], work);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(f.pushes.at(-1)?.push.source, null, 'a tag-only push builds nothing');
    assert.equal(await remoteRef('shelly', `refs/tags/${evil}`), await head(work));
    for (const place of [work, f.dir, f.store.pathOf('shelly'), process.cwd()]) {
      for (const name of ['pwned', 'pwned2', 'pwned3']) assert.equal(existsSync(join(place, name)), false);
    }
  });

  it('force push deploys the rewritten commit', T, async () => {
    reset();
    await f.store.create('forceful');
    const work = await f.workingCopy('forceful', { 'a.txt': 'one\n' });
    assert.equal((await f.git(['push', f.url('forceful'), 'main'], work)).code, 0);
    const first = await head(work);
    await writeFile(join(work, 'a.txt'), 'two\n');
    await f.git(['commit', '--quiet', '--all', '--amend', '-m', 'rewritten'], work);
    const second = await head(work);
    const plain = await f.git(['push', f.url('forceful'), 'main'], work);
    assert.notEqual(plain.code, 0, 'git refuses a non-fast-forward without --force');
    const forced = await f.git(['push', '--force', f.url('forceful'), 'main'], work);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(f.pushes.at(-1)?.push.deploy, { oldRev: first, newRev: second, ref: 'refs/heads/main' });
    assert.equal(await remoteRef('forceful'), second);
  });

  it('deleting main is refused', T, async () => {
    reset();
    await f.store.create('keeper');
    const work = await f.workingCopy('keeper', { 'a.txt': 'a\n' });
    assert.equal((await f.git(['push', f.url('keeper'), 'main'], work)).code, 0);
    const deleted = await f.git(['push', f.url('keeper'), ':main'], work);
    assert.notEqual(deleted.code, 0);
    assert.match(lines(deleted.stderr), /^remote: {2}! {5}Deleting refs\/heads\/main is not allowed: it is the branch paas deploys\.$/m);
    assert.equal(await remoteRef('keeper'), await head(work));
  });

  it('clone and fetch work (protocol v2 and v0)', T, async () => {
    reset();
    await f.store.create('cloneable');
    const work = await f.workingCopy('cloneable', { 'readme.md': '# hi\n' });
    assert.equal((await f.git(['push', f.url('cloneable'), 'main'], work)).code, 0);
    const clone = join(f.dir, 'cloned');
    const cloned = await f.git(['clone', '--quiet', f.url('cloneable'), clone]);
    assert.equal(cloned.code, 0, cloned.stderr);
    assert.equal(await readFile(join(clone, 'readme.md'), 'utf8'), '# hi\n');
    const v0 = await f.git(['-c', 'protocol.version=0', 'clone', '--quiet', f.url('cloneable'), join(f.dir, 'cloned-v0')]);
    assert.equal(v0.code, 0, v0.stderr);

    await writeFile(join(work, 'readme.md'), '# hi again\n');
    await f.git(['commit', '--quiet', '--all', '-m', 'again'], work);
    assert.equal((await f.git(['push', f.url('cloneable'), 'main'], work)).code, 0);
    const fetched = await f.git(['fetch', '--quiet', 'origin'], clone);
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.equal((await f.git(['rev-parse', 'origin/main'], clone)).stdout.trim(), await head(work));
  });

  it('a push over 1 MiB arrives chunked and whole', T, async () => {
    reset();
    await f.store.create('big-push');
    const blob = randomBytes(3 * 1024 * 1024);
    const work = await f.workingCopy('big', { 'blob.bin': blob });
    const pushed = await f.git(['push', f.url('big-push'), 'main'], work);
    assert.equal(pushed.code, 0, pushed.stderr);
    const chunked = f.requests.filter(
      (request) => request.path === '/git-receive-pack' && request.contentLength === undefined,
    );
    assert.ok(chunked.some((request) => request.transferEncoding === 'chunked'), 'the pack came without Content-Length');
    const tar = f.pushes.at(-1)?.tar;
    assert.ok(tar);
    const received = (await import('./git-fixture.js')).readTar(tar).get('blob.bin');
    assert.ok(received);
    const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    assert.equal(sha(received), sha(blob));
  });

  it('authentication: 401 with a Basic challenge, and a wrong password fails git', T, async () => {
    reset();
    await f.store.create('guarded');
    const anonymous = await fetch(`${f.url('guarded')}/info/refs?service=git-upload-pack`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="paas"');
    const work = await f.workingCopy('guarded', { 'a.txt': 'a\n' });
    const wrong = await f.git(['push', f.url('guarded', 'dev%40example.com:wrong'), 'main'], work);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);
    assert.equal(await remoteRef('guarded'), null);
  });

  it('serves only the smart protocol and only known apps', T, async () => {
    const auth = { authorization: `Basic ${Buffer.from('dev:s3cret-token').toString('base64')}` };
    await f.store.create('dumb-probe');
    assert.equal((await fetch(`${f.url('dumb-probe')}/info/refs`, { headers: auth })).status, 403);
    assert.equal((await fetch(`${f.url('dumb-probe')}/HEAD`, { headers: auth })).status, 404);
    assert.equal((await fetch(`${f.url('dumb-probe')}/git-receive-pack`, { headers: auth })).status, 405);
    const missing = await f.git(['ls-remote', f.url('no-such-app')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /not found/);
  });

  it('an unreachable push socket rejects the push with a clear message', T, async () => {
    reset();
    await f.store.create('no-daemon');
    f.ticketEnv = (env) => ({ ...env, [PUSH_ENV.socket]: join(f.dir, 'nobody-listens.sock') });
    const work = await f.workingCopy('no-daemon', { 'a.txt': 'a\n' });
    const pushed = await f.git(['push', f.url('no-daemon'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /^remote: {2}! {5}Could not reach paas to build this push \(ENOENT\)/m);
    assert.match(lines(pushed.stderr), /pre-receive hook declined/);
    assert.equal(await remoteRef('no-daemon'), null);
  });

  it('a forged ticket is refused', T, async () => {
    reset();
    await f.store.create('forged');
    f.ticketEnv = (env) => ({ ...env, [PUSH_ENV.ticket]: `${(env[PUSH_ENV.ticket] ?? '').split('.')[0] ?? ''}.forged` });
    const work = await f.workingCopy('forged', { 'a.txt': 'a\n' });
    const pushed = await f.git(['push', f.url('forged'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /paas did not authorize this push/);
  });

  it('a push that bypasses paas (straight to the repository on disk) is refused', T, async () => {
    reset();
    await f.store.create('local-push');
    const work = await f.workingCopy('local-push', { 'a.txt': 'a\n' });
    const pushed = await f.git(['push', f.store.pathOf('local-push'), 'main'], work);
    assert.notEqual(pushed.code, 0);
    assert.match(lines(pushed.stderr), /This repository takes pushes only through paas/);
  });
});
