/**
 * Heroku's own CLI (npm `heroku`) drives paas: pointed at a real paasd with HEROKU_HOST,
 * each everyday command runs against an app pushed from fixtures/py-web, and what it
 * prints and what it changed are checked. Nothing leaves the machine: telemetry is off,
 * the particleboard URL and HOME are local, update checks are off.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { eventually } from '../src/eventually.js';
import { createGitRepo } from '../src/git-repo.js';
import type { GitRepo } from '../src/git-repo.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';
import { FIXTURES_DIR, PAASD_MAIN, REPO_ROOT } from '../src/paths.js';

const APP = 'hk-demo';
const DOMAIN = 'paas.test';
const EMAIL = `admin@${DOMAIN}`;
const HEROKU_BIN = join(REPO_ROOT, 'node_modules', 'heroku', 'bin', 'run.js');
const COMMAND_TIMEOUT_MS = 60_000;
const ROLLOUT_TIMEOUT_MS = 60_000;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function missingReason(): string | undefined {
  if (!existsSync(PAASD_MAIN)) return `paasd is not built (${PAASD_MAIN} is missing): run npx tsc -b first`;
  if (!existsSync(HEROKU_BIN)) return `the heroku CLI is not installed (${HEROKU_BIN}): run npm install`;
  return undefined;
}
const missing = missingReason();
const skip = missing !== undefined && !process.env.CI ? missing : false;

describe("Heroku's CLI drives paas", { skip, timeout: 10 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let home: string;
  let caFile: string;
  let repo: GitRepo | undefined;

  /** Runs `heroku …args` with an argument array; `input` goes to its stdin. */
  const heroku = (args: readonly string[], input = ''): Promise<Ran> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [HEROKU_BIN, ...args], {
        cwd: home,
        shell: false,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          HEROKU_HOST: paasd.url,
          HEROKU_API_KEY: paasd.token,
          HEROKU_PARTICLEBOARD_URL: paasd.url,
          DISABLE_TELEMETRY: 'true',
          HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
          HEROKU_DISABLE_AUTOUPDATE: '1',
          HEROKU_NOTIFICATIONS: '0',
          NODE_EXTRA_CA_CERTS: caFile,
          NO_COLOR: '1',
          TERM: 'dumb',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(input);
    });

  /** A command that must succeed; its stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const ran = await heroku(args);
    assert.equal(ran.code, 0, `heroku ${args.join(' ')} exited ${String(ran.code)}:\n${ran.stdout}\n${ran.stderr}`);
    return ran.stdout;
  };

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> => paasd.api(method, path, body) as Promise<T>;
  const currentVersion = async (): Promise<number> => (await api<{ current_release: { version: number } }>('GET', `/apps/${APP}`)).current_release.version;
  /** Waits for a release to go live: changes answer at once and roll out behind. */
  const live = (version: number): Promise<true> =>
    eventually(async () => ((await currentVersion()) === version ? true : undefined), { what: `v${String(version)} live`, timeoutMs: ROLLOUT_TIMEOUT_MS });
  const webUp = (): Promise<true> =>
    eventually(async () => ((await api<{ name: string; state: string }[]>('GET', `/apps/${APP}/dynos`)).some((d) => d.name === 'web.1' && d.state === 'up') ? true : undefined), {
      what: 'web.1 up',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
    });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'paas-e2e-heroku-'));
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local' } });
    // Logged just after the router: the platform CA Heroku's CLI must trust for `run`.
    const line = await eventually(async () => paasd.output().split('\n').find((l) => l.includes('"rendezvous listening"')), { what: 'rendezvous listening', timeoutMs: 30_000 });
    caFile = (JSON.parse(line) as { caFile?: string }).caFile ?? '';
    assert.ok(existsSync(caFile), `no platform CA in paasd's output:\n${paasd.output()}`);
  });

  after(async () => {
    await repo?.remove();
    await paasd?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('auth:whoami names the token owner', async () => {
    assert.equal((await ok('auth:whoami')).trim(), EMAIL);
  });

  it('apps:create makes an app, and the pushed code runs', async () => {
    const created = await heroku(['apps:create', APP]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout + created.stderr, new RegExp(`${APP}`));
    await api('PUT', `/apps/${APP}/buildpack-installations`, { updates: [{ buildpack: 'procfile' }] });
    repo = await createGitRepo(join(FIXTURES_DIR, 'py-web'), `${paasd.url}/${APP}.git`, paasd.token);
    const push = await repo.run(['push', 'paas', 'main']);
    assert.equal(push.code, 0, push.out);
    await webUp();
  });

  it('apps, apps -A and apps:info', async () => {
    assert.match(await ok('apps'), new RegExp(`${EMAIL} Apps[\\s\\S]*${APP}`));
    assert.match(await ok('apps', '-A'), new RegExp(APP));
    const info = await ok('apps:info', '-a', APP);
    assert.match(info, new RegExp(`=== ${APP}`));
    assert.match(info, new RegExp(`Owner:\\s+${EMAIL}`));
    assert.match(info, /Region:\s+local/);
    assert.match(info, /Dynos:\s+web: 1/);
    assert.match(info, new RegExp(`Web URL:\\s+http://${APP}\\.${DOMAIN}`));
  });

  it('config:set, config, config:get, config:unset', async () => {
    const before = await currentVersion();
    assert.match(await ok('config:set', 'GREETING=hello', 'OTHER=x', '-a', APP), /GREETING:\s+hello/);
    assert.match(await ok('config', '-a', APP), /GREETING:\s+hello/);
    assert.equal((await ok('config:get', 'GREETING', '-a', APP)).trim(), 'hello');
    await ok('config:unset', 'OTHER', '-a', APP);
    assert.deepEqual(await api('GET', `/apps/${APP}/config-vars`), { GREETING: 'hello' });
    await live(before + 2);
    await webUp();
  });

  it('releases and releases:info', async () => {
    const version = await currentVersion();
    const releases = await ok('releases', '-a', APP);
    assert.match(releases, new RegExp(`Current: v${String(version)}`));
    assert.match(releases, new RegExp(`v${String(version)}\\s+Remove OTHER config var[\\s\\S]*${EMAIL}`));
    const info = await ok('releases:info', '-a', APP);
    assert.match(info, new RegExp(`Release v${String(version)}`));
    assert.match(info, new RegExp(`By:\\s+${EMAIL}`));
    assert.match(info, /GREETING:\s+hello/);
    assert.match(await ok('releases:info', 'v2', '-a', APP), /Release v2/);
  });

  it('ps, ps:scale with Heroku sizes, ps:restart and ps:stop', async () => {
    assert.match(await ok('ps', '-a', APP), /=== web \(standard\): python3 -u server.py \(1\)\n\nweb\.1: (up|starting) /);
    assert.match(await ok('ps:scale', '-a', APP), /web=1:standard/);
    const scaled = await heroku(['ps:scale', 'web=1:standard-2X', '-a', APP]);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stderr + scaled.stdout, /web at 1:standard-2x/);
    await ok('ps:scale', 'web=1:Standard-1X', '-a', APP);
    await ok('ps:restart', '--process-type', 'web', '-a', APP);
    await ok('ps:restart', '--dyno-name', 'web.1', '-a', APP);
    await ok('ps:restart', '-a', APP);
    await ok('ps:stop', '--process-type', 'web', '-a', APP);
    await ok('ps:stop', 'web.1', '-a', APP);
    await webUp();
  });

  it('run: attached, with stdin and the exit code; run:detached', async () => {
    const ran = await heroku(['run', '-x', '-a', APP, '--', 'python3', '-c', 'import sys; print(sys.stdin.read().upper()); sys.exit(3)'], 'from stdin');
    assert.equal(ran.code, 3, `${ran.stdout}\n${ran.stderr}`);
    assert.match(ran.stdout, /FROM STDIN/);
    const env = await heroku(['run', '-x', '-e', 'EXTRA=given', '-a', APP, '--', 'echo', '$GREETING-$EXTRA']);
    assert.equal(env.code, 0, env.stderr);
    assert.match(env.stdout, /hello-given/);
    const detached = await ok('run:detached', '-a', APP, '--', 'echo', 'detached-ran');
    assert.match(detached, /run\.\d+/);
    await eventually(async () => ((await ok('logs', '-n', '200', '-a', APP)).includes('detached-ran') ? true : undefined), { what: 'the detached output in the log', timeoutMs: 30_000 });
  });

  it('logs: -n, --dyno, --source and --tail', async () => {
    const recent = await ok('logs', '-n', '50', '-a', APP);
    assert.match(recent, /app\[web\.1\]: listening on/);
    const web = await ok('logs', '--dyno', 'web', '-a', APP);
    assert.doesNotMatch(web, /\[run\./);
    const platform = await ok('logs', '--source', 'heroku', '-a', APP);
    assert.doesNotMatch(platform, / app\[/);
    assert.match(platform, / paas\[/);
    // --tail: a new line reaches the stream while it is open.
    const child = spawn(process.execPath, [HEROKU_BIN, 'logs', '--tail', '-n', '0', '-a', APP], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '', HOME: home, HEROKU_HOST: paasd.url, HEROKU_API_KEY: paasd.token, HEROKU_PARTICLEBOARD_URL: paasd.url, DISABLE_TELEMETRY: 'true', HEROKU_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tailed = '';
    child.stdout.on('data', (chunk: Buffer) => (tailed += chunk.toString()));
    try {
      await eventually(
        async () => {
          await api('POST', `/apps/${APP}/dynos`, { command: 'echo tail-marker' });
          return tailed.includes('tail-marker') ? true : undefined;
        },
        { what: 'a new line in heroku logs --tail', timeoutMs: 30_000, intervalMs: 2000 },
      );
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('domains:add, domains, domains:remove', async () => {
    assert.match(await ok('domains:add', 'www.example.com', '-a', APP), new RegExp(`DNS Target ${APP}\\.${DOMAIN}`));
    assert.match(await ok('domains', '-a', APP), /www\.example\.com\s+CNAME/);
    assert.deepEqual((await api<{ hostname: string }[]>('GET', `/apps/${APP}/domains`)).map((d) => d.hostname), ['www.example.com']);
    await ok('domains:remove', 'www.example.com', '-a', APP);
    assert.deepEqual(await api('GET', `/apps/${APP}/domains`), []);
  });

  it('maintenance, maintenance:on and maintenance:off', async () => {
    assert.match(await ok('maintenance', '-a', APP), /off/);
    await ok('maintenance:on', '-a', APP);
    assert.equal((await api<{ maintenance: boolean }>('GET', `/apps/${APP}`)).maintenance, true);
    assert.match(await ok('maintenance', '-a', APP), /on/);
    await ok('maintenance:off', '-a', APP);
    assert.equal((await api<{ maintenance: boolean }>('GET', `/apps/${APP}`)).maintenance, false);
  });

  it('drains:add, drains, drains:remove', async () => {
    await ok('drains:add', 'syslog://127.0.0.1:6514', '-a', APP);
    assert.match(await ok('drains', '-a', APP), /syslog:\/\/127\.0\.0\.1:6514 \(d\./);
    await ok('drains:remove', 'syslog://127.0.0.1:6514', '-a', APP);
    assert.deepEqual(await api('GET', `/apps/${APP}/log-drains`), []);
  });

  it('rollback without a version and with one', async () => {
    const before = await currentVersion();
    const back = await heroku(['rollback', '-a', APP]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr + back.stdout, new RegExp(`Rolling back ${APP} to v${String(before - 1)}`));
    await live(before + 1);
    await webUp();
    const toV3 = await heroku(['rollback', 'v3', '-a', APP]);
    assert.equal(toV3.code, 0, toV3.stderr);
    assert.match((await api<{ description: string }[]>('GET', `/apps/${APP}/releases`))[0]?.description ?? '', /Rollback to v3/);
    await live(before + 2);
    await webUp();
  });

  it('buildpacks with URLs', async () => {
    assert.match(await ok('buildpacks', '-a', APP), /procfile/);
    await ok('buildpacks:add', 'https://example.com/extra-pack.git', '-a', APP);
    const listed = await ok('buildpacks', '-a', APP);
    assert.match(listed, /1\. procfile\n2\. https:\/\/example\.com\/extra-pack\.git/);
    await ok('buildpacks:remove', 'https://example.com/extra-pack.git', '-a', APP);
    assert.match(await ok('buildpacks', '-a', APP), /procfile/);
  });

  it('access, labs, features, addons and pipelines', async () => {
    assert.match(await ok('access', '-a', APP), new RegExp(`${EMAIL}\\s+owner`));
    assert.match(await ok('labs', '-a', APP), new RegExp(`User Features ${EMAIL}`));
    assert.match(await ok('features', '-a', APP), new RegExp(`App Features ${APP}`));
    assert.match(await ok('addons', '-a', APP), /No add-ons/);
    assert.match(await ok('pipelines'), /My Pipelines/);
  });

  it('authorizations: create, list, rotate, revoke; access:add and access:remove', async () => {
    await api('POST', '/users', { email: `dev@${DOMAIN}` });
    const created = await ok('authorizations:create', '--description', 'ci', '--scope', 'read');
    const id = /^ID:\s+(\S+)$/m.exec(created)?.[1] ?? '';
    assert.match(created, /^Scope:\s+read$/m);
    const token = /^Token:\s+(paas_\S+)$/m.exec(created)?.[1] ?? '';
    assert.match(await ok('authorizations'), new RegExp(`ci\\s+${id}\\s+read`));
    const rotated = await ok('authorizations:rotate', id);
    assert.notEqual(/^Token:\s+(paas_\S+)$/m.exec(rotated)?.[1] ?? token, token);
    await ok('authorizations:revoke', id);
    assert.match(await ok('authorizations'), /No OAuth authorizations/);
    await ok('access:add', `dev@${DOMAIN}`, '-a', APP, '--permissions', 'deploy');
    assert.match(await ok('access', '-a', APP), new RegExp(`dev@${DOMAIN}\\s+collaborator\\s+deploy, view`));
    await ok('access:remove', `dev@${DOMAIN}`, '-a', APP);
    assert.doesNotMatch(await ok('access', '-a', APP), new RegExp(`dev@${DOMAIN}`));
  });

  it('apps:rename, and the app runs under its new name; apps:destroy', async () => {
    const renamed = `${APP}-renamed`;
    const ran = await heroku(['apps:rename', renamed, '-a', APP]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, new RegExp(`http://${renamed}\\.${DOMAIN}:\\d+/ \\| `));
    assert.match(await ok('apps:info', '-a', renamed), new RegExp(`=== ${renamed}`));
    await eventually(
      async () => ((await api<{ name: string; state: string }[]>('GET', `/apps/${renamed}/dynos`)).some((d) => d.name === 'web.1' && d.state === 'up') ? true : undefined),
      { what: 'web.1 up under the new name', timeoutMs: ROLLOUT_TIMEOUT_MS },
    );
    await ok('apps:destroy', '-a', renamed, '--confirm', renamed);
    assert.deepEqual(await api('GET', '/apps'), []);
  });
});
