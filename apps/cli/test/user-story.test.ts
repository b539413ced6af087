/**
 * The whole story a user lives through, against the real paasd and the real built
 * CLI: log in, create an app from a git repository, configure, list releases, roll
 * back, hit every failure a user meets first, destroy, log out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
// like the Docker tests: skip with a reason on a developer machine, never in CI
const skip = missing !== undefined && !process.env.CI ? missing : false;

function gitRemoteUrl(cwd: string, remote: string): string | undefined {
  try {
    return execFileSync('git', ['remote', 'get-url', '--', remote], { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return undefined; // git exits non-zero when there is no such remote
  }
}

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

describe('paas user story against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let home: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const paas = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd = repo): Promise<PaasRun> =>
    runPaas(args, { cwd, env: { ...env, ...extraEnv } });

  before(async () => {
    paasd = await startPaasd();
    home = await mkdtemp(join(tmpdir(), 'paas-cli-home-'));
    repo = await mkdtemp(join(tmpdir(), 'paas-cli-repo-'));
    execFileSync('git', ['init', '--quiet', repo]);
    env = { HOME: home, PAAS_API_URL: paasd.url };
  });
  after(async () => {
    await paasd?.stop();
    await rm(home, { recursive: true, force: true });
    await rm(repo, { recursive: true, force: true });
  });

  it('refuses to log in with a wrong token', async () => {
    const run = await paas(['login', '--token', 'wrong-token']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^ ▸ {4}The API at http:\/\/127\.0\.0\.1:\d+ refused that token: check it and run paas login again\.$/m);
  });

  it('logs in with --token and saves the token in ~/.netrc, mode 0600', async () => {
    const run = await paas(['login', '--token', paasd.token]);
    assertOk(run, 'login');
    assert.match(run.stdout, /^Logged in to http:\/\/127\.0\.0\.1:\d+ as \S+/);
    const netrc = join(home, '.netrc');
    assert.equal((await stat(netrc)).mode & 0o777, 0o600);
    assert.equal(await readFile(netrc, 'utf8'), `machine 127.0.0.1\n  login admin@localhost\n  password ${paasd.token}\n`);
  });

  it('creates an app inside a git repository and adds the paas remote', async () => {
    const run = await paas(['apps:create', 'demo']);
    assertOk(run, 'apps:create');
    assert.match(run.stderr, /^Creating demo\.\.\. done$/m);
    const info = JSON.parse((await paas(['apps:info', '-a', 'demo', '--json'])).stdout) as { git_url: string; web_url: string };
    assert.equal(run.stdout, `${info.web_url} | ${info.git_url}\n`);
    assert.match(info.git_url, /\/demo\.git$/);
    assert.equal(gitRemoteUrl(repo, 'paas'), info.git_url);
    assert.match(run.stderr, /^Git remote paas added/m);
  });

  it('leaves an existing paas remote alone and names the conflict of a taken name', async () => {
    const taken = await paas(['apps:create', 'demo']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^ ▸ {4}\S/m);
    const second = await paas(['apps:create', 'demo-two']);
    assertOk(second, 'apps:create demo-two');
    assert.match(second.stderr, /Git remote paas already exists .*left as it is/);
    assert.match(gitRemoteUrl(repo, 'paas') ?? '', /\/demo\.git$/);
    const other = await paas(['apps:destroy', 'demo-two', '--confirm', 'demo-two']);
    assertOk(other, 'apps:destroy demo-two');
    assert.match(gitRemoteUrl(repo, 'paas') ?? '', /\/demo\.git$/, 'the remote of another app stays');
  });

  it('points a remote at an app with git:remote: adds it, or changes the URL it had', async () => {
    const url = gitRemoteUrl(repo, 'paas') ?? assert.fail('no paas remote');
    const added = await paas(['git:remote', '-a', 'demo', '-r', 'staging']);
    assertOk(added, 'git:remote -r staging');
    assert.equal(added.stdout, `set git remote staging to ${url}\n`);
    assert.equal(gitRemoteUrl(repo, 'staging'), url);
    execFileSync('git', ['remote', 'set-url', 'staging', 'http://example.invalid/other.git'], { cwd: repo });
    const changed = await paas(['git:remote', '-a', 'demo', '-r', 'staging']);
    assertOk(changed, 'git:remote over another URL');
    assert.equal(changed.stdout, `set git remote staging to ${url} (was http://example.invalid/other.git)\n`);
    assert.equal(gitRemoteUrl(repo, 'staging'), url);
    const unknown = await paas(['git:remote', '-a', 'no-such-app', '-r', 'other']);
    assert.equal(unknown.code, 1);
    assert.equal(gitRemoteUrl(repo, 'other'), undefined, 'no remote for an app that does not exist');
    const outside = await paas(['git:remote', '-a', 'demo'], {}, home);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not inside a git repository: run git init/);
    execFileSync('git', ['remote', 'remove', 'staging'], { cwd: repo });
  });

  it('lists and shows the app, as text and as JSON', async () => {
    const list = await paas(['apps']);
    assertOk(list, 'apps');
    assert.match(list.stdout, /^=== Apps\nName +Release +Released +Web URL\n[─ ]+\ndemo +v1 /);
    const json = JSON.parse((await paas(['apps', '--json'])).stdout) as { name: string }[];
    assert.deepEqual(json.map((app) => app.name), ['demo']);
    const info = await paas(['apps:info']); // the app comes from the paas remote
    assertOk(info, 'apps:info');
    assert.match(info.stdout, /^=== demo\n/);
    assert.match(info.stdout, /^Git URL: +http:\/\/\S+\/demo\.git$/m);
  });

  it('sets config vars in one release, and says when nothing changed', async () => {
    const set = await paas(['config:set', 'A=1', 'B=two']);
    assertOk(set, 'config:set');
    assert.equal(set.stderr, 'Setting A, B and restarting demo... done, v2\n');
    assert.equal(set.stdout, 'A: 1\nB: two\n');
    const again = await paas(['config:set', 'A=1']);
    assertOk(again, 'config:set again');
    assert.equal(again.stderr, 'Setting A and restarting demo... done, nothing changed (no new release)\n');
  });

  it('unsets a config var in a new release', async () => {
    const run = await paas(['config:unset', 'A']);
    assertOk(run, 'config:unset');
    assert.equal(run.stderr, 'Unsetting A and restarting demo... done, v3\n');
    const config = await paas(['config']);
    assert.equal(config.stdout, '=== demo Config Vars\nB: two\n');
  });

  it('lists releases newest first with their descriptions', async () => {
    const run = await paas(['releases']);
    assertOk(run, 'releases');
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '=== demo Releases - Current: v3');
    assert.match(lines[1] ?? '', /^v3 +Remove A config var +\S+ +(just now|\d+s ago)$/);
    assert.match(lines[2] ?? '', /^v2 +Set A, B config vars +/);
    assert.match(lines[3] ?? '', /^v1 +\S/);
    assert.equal(lines.length, 4);
    const json = JSON.parse((await paas(['releases', '--json'])).stdout) as { version: number }[];
    assert.deepEqual(json.map((release) => release.version), [3, 2, 1]);
    const two = await paas(['releases', '-n', '2', '--json']);
    assert.deepEqual((JSON.parse(two.stdout) as { version: number }[]).map((r) => r.version), [3, 2]);
  });

  it('shows one release', async () => {
    const run = await paas(['releases:info', 'v2']);
    assertOk(run, 'releases:info');
    assert.match(run.stdout, /^=== Release v2\n/);
    assert.match(run.stdout, /^Change: +Set A, B config vars$/m);
    const json = JSON.parse((await paas(['releases:info', '2', '--json'])).stdout) as { version: number; current: boolean };
    assert.equal(json.version, 2);
    assert.equal(json.current, false);
    const none = await paas(['releases:info', 'v99']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^ ▸ {4}\S/);
  });

  it('rolls back to a named release, bringing its config back', async () => {
    const run = await paas(['rollback', 'v2']);
    assertOk(run, 'rollback v2');
    assert.equal(run.stderr, 'Rolling back demo to v2... done, v4\n');
    const config = JSON.parse((await paas(['config', '--json'])).stdout) as Record<string, string>;
    assert.deepEqual(config, { A: '1', B: 'two' });
    const info = await paas(['releases:info', '--json']);
    assert.match((JSON.parse(info.stdout) as { description: string }).description, /Rollback to v2/);
  });

  it('rolls back to the release before the current one by default', async () => {
    const run = await paas(['rollback']);
    assertOk(run, 'rollback');
    assert.equal(run.stderr, 'Rolling back demo to v3... done, v5\n');
    const config = JSON.parse((await paas(['config', '--json'])).stdout) as Record<string, string>;
    assert.deepEqual(config, { B: 'two' });
  });

  it('round-trips awkward values byte for byte through config:set and config:get', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEA0Z3V\nS3lK+/z=\n-----END PRIVATE KEY-----\n';
    const values: Record<string, string> = {
      SHELLY: '$123*&456$',
      PEM: pem,
      UNICODE: 'héllo wörld ✓ 日本語 🚀',
      EQUALS: 'a=b==c',
      QUOTES: `it's "quoted" \`back\` \\ $(whoami) ; | & < >`,
      SPACES: '  padded  ',
      EMPTY: '',
    };
    const set = await paas(['config:set', ...Object.entries(values).map(([key, value]) => `${key}=${value}`)]);
    assertOk(set, 'config:set awkward values');
    for (const [key, value] of Object.entries(values)) {
      const get = await paas(['config:get', key]);
      assertOk(get, `config:get ${key}`);
      assert.equal(get.stdout, `${value}\n`, key);
      const json = await paas(['config:get', key, '--json']);
      assert.equal(JSON.parse(json.stdout), value, key);
    }
    const all = JSON.parse((await paas(['config', '--json'])).stdout) as Record<string, string>;
    assert.deepEqual(all, { ...values, B: 'two' });
  });

  it('fails with a message for a config var that does not exist', async () => {
    const run = await paas(['config:get', 'MISSING']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, ' ▸    demo has no config var MISSING: see paas config -a demo for the keys it has.\n');
    assert.equal(run.stdout, '');
  });

  it('reports an app that does not exist and a scale the app cannot take', async () => {
    const nope = await paas(['config', '-a', 'nope']);
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /^ ▸ {4}\S/);
    const scale = await paas(['ps:scale', 'web=2']); // no code is deployed, so there is no web type
    assert.equal(scale.code, 1);
    assert.match(scale.stderr, /^Scaling demo\.\.\. !\n ▸ {4}\S/);
  });

  it('asks for -a APP outside a repository', async () => {
    const run = await paas(['config'], {}, home);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pass -a APP, or run this inside a git repository with a paas remote/);
  });

  it('will not destroy without --confirm when there is no terminal', async () => {
    const run = await paas(['apps:destroy']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /pass --confirm demo/);
    assertOk(await paas(['apps:info']), 'apps:info after a refused destroy');
  });

  it('tells a user with a wrong token to log in again', async () => {
    const fromEnv = await paas(['apps'], { PAAS_API_TOKEN: 'wrong' });
    assert.equal(fromEnv.code, 1);
    assert.match(fromEnv.stderr, /refused the token in PAAS_API_TOKEN: .*paas login/);
    const netrc = join(home, '.netrc');
    const saved = await readFile(netrc, 'utf8');
    await writeFile(netrc, saved.replace(paasd.token, 'stale-token'), { mode: 0o600 });
    try {
      const stale = await paas(['apps']);
      assert.equal(stale.code, 1);
      assert.equal(stale.stderr, ` ▸    The API at ${paasd.url} refused your saved token: run paas login to log in again.\n`);
    } finally {
      await writeFile(netrc, saved, { mode: 0o600 });
    }
  });

  it('destroys the app with --confirm and removes its git remote', async () => {
    const run = await paas(['apps:destroy', '--confirm', 'demo']);
    assertOk(run, 'apps:destroy');
    assert.match(run.stderr, /^Destroying demo .*\.\.\. done\nGit remote paas removed\n$/);
    assert.equal(gitRemoteUrl(repo, 'paas'), undefined);
    assert.deepEqual(JSON.parse((await paas(['apps', '--json'])).stdout), []);
  });

  it('logs out, after which commands ask to log in', async () => {
    const run = await paas(['logout']);
    assertOk(run, 'logout');
    assert.equal(await readFile(join(home, '.netrc'), 'utf8'), '');
    const after = await paas(['apps']);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /Not logged in to .*: run paas login/);
  });
});
