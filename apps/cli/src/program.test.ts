import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import type { CliContext } from './context.js';
import { createProgram, runCli } from './program.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function fakeContext(cwd: string, env: NodeJS.ProcessEnv = {}): { ctx: CliContext; out: () => Omit<Run, 'code'> } {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    env: { HOME: cwd, PAAS_API_URL: 'http://127.0.0.1:9', ...env },
    cwd,
    stdin: new PassThrough(),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  return { ctx, out: () => ({ stdout, stderr }) };
}

describe('the paas program', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-program-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
    const { ctx, out } = fakeContext(dir, env);
    const code = await runCli(['node', 'paas', ...args], ctx);
    return { code, ...out() };
  }

  it('shows an example in the help of every command', async () => {
    const names = createProgram(fakeContext(dir).ctx).commands.map((command) => command.name());
    assert.ok(names.length >= 14, names.join(' '));
    for (const name of names.filter((n) => n !== 'help')) {
      const result = await run([name, '--help']);
      assert.equal(result.code, 0, name);
      assert.match(result.stdout, /Examples:\n {2}\$ paas /, name);
    }
  });

  it('exits 2 with a ▸ message for usage errors', async () => {
    for (const args of [['bogus'], ['config:set'], ['config:set', 'NOEQUALS', '-a', 'demo'], ['releases', '-n', 'x'], ['ps:scale', 'web', '-a', 'demo'], []]) {
      const result = await run(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^( ▸ {4}.*\n)+$|Usage: paas/, args.join(' '));
    }
  });

  it('refuses bad buildpack positions and remove arguments before calling the API', async () => {
    const env = { PAAS_API_TOKEN: 't' }; // nothing listens on the API: only a usage error can come back
    for (const args of [
      ['buildpacks:set', 'nodejs', '-i', '0'],
      ['buildpacks:set', 'nodejs', '--index', 'x'],
      ['buildpacks:add', 'nodejs', '-i', '1.5'],
      ['buildpacks:remove', '-i', '-2'],
      ['buildpacks:remove'],
      ['buildpacks:remove', 'nodejs', '-i', '1'],
      ['buildpacks:set', ' '],
      ['buildpacks:set'],
      ['builds', '-n', '0'],
    ]) {
      const result = await run([...args, '-a', 'demo'], env);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^ ▸ {4}\S/, args.join(' '));
    }
    const index = await run(['buildpacks:add', 'nodejs', '-i', '0', '-a', 'demo'], env);
    assert.match(index.stderr, /give the position of a buildpack: a whole number from 1/);
  });

  it('refuses to deploy what is not a directory, and to purge the build cache unconfirmed', async () => {
    const env = { PAAS_API_TOKEN: 't' };
    const missing = await run(['deploy', 'no-such-dir', '-a', 'demo'], env);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, ' ▸    no-such-dir is not a directory: give the directory of the app to deploy.\n');
    const purge = await run(['builds:cache:purge', '-a', 'demo'], env);
    assert.equal(purge.code, 2);
    assert.match(purge.stderr, /there is no terminal to ask: pass --confirm demo\./);
    const mismatch = await run(['builds:cache:purge', '-a', 'demo', '--confirm', 'other'], env);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /--confirm other does not match the app demo: the cache was left as it is\./);
  });

  it('refuses bad process names and log options before calling the API', async () => {
    const env = { PAAS_API_TOKEN: 't' }; // nothing listens on the API: only a usage error can come back
    for (const args of [
      ['ps:stop'],
      ['ps:stop', 'web.0'],
      ['ps:restart', 'a b'],
      ['ps:restart', 'web', 'worker'],
      ['logs', '-n', '0'],
      ['logs', '-n', '1501'],
      ['logs', '--source', 'router'],
      ['logs', '--ps', '../x'],
      ['domains:add'],
      ['open', 'http://elsewhere.example.com/'],
    ]) {
      const result = await run([...args, '-a', 'demo'], env);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^ ▸ {4}\S/, args.join(' '));
    }
  });

  it('asks for -a APP when no app is given and no paas remote exists', async () => {
    const result = await run(['config']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^ ▸ {4}No app given: pass -a APP, or run this inside a git repository with a paas remote/);
  });

  it('asks to log in when there is no token', async () => {
    const result = await run(['apps']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Not logged in to http:\/\/127\.0\.0\.1:9: run paas login, or set PAAS_API_TOKEN\./);
  });

  it('says how to reach the API when nothing listens there', async () => {
    const result = await run(['apps'], { PAAS_API_TOKEN: 't' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, / ▸ {4}Could not reach the paas API at http:\/\/127\.0\.0\.1:9: start paasd/);
  });

  it('refuses to destroy without --confirm when nobody can be asked', async () => {
    const result = await run(['apps:destroy', '-a', 'demo'], { PAAS_API_TOKEN: 't' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pass --confirm demo/);
    const mismatch = await run(['apps:destroy', '-a', 'demo', '--confirm', 'other'], { PAAS_API_TOKEN: 't' });
    assert.equal(mismatch.code, 2);
  });

  it('refuses a PAAS_API_URL that is not a URL', async () => {
    const result = await run(['apps'], { PAAS_API_URL: 'localhost 5100', PAAS_API_TOKEN: 't' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /PAAS_API_URL="localhost 5100" is not a URL/);
  });

  it('prints its version', async () => {
    const result = await run(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '0.1.0\n');
  });
});
