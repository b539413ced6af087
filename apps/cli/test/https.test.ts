/**
 * The CLI and git over HTTPS against the real paasd with PAAS_API_TLS_PORT: verified
 * against the platform CA (NODE_EXTRA_CA_CERTS), refused without it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { REPO_ROOT, paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
// like the Docker tests: skip with a reason on a developer machine, never in CI
const skip = missing !== undefined && !process.env.CI ? missing : false;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** git as a user with this HOME would run it: no machine-wide CA bundle forced on it. */
function git(args: string[], cwd: string, home: string): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: home, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' };
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

describe('paas and git over HTTPS with the platform CA', { skip }, () => {
  let paasd: RunningPaasd;
  let home: string;
  let repo: string;
  let tlsPort: number;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    tlsPort = await freePort();
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local', PAAS_API_TLS_PORT: String(tlsPort), PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' } });
    home = await mkdtemp(join(tmpdir(), 'paas-cli-https-'));
    repo = join(home, 'app');
    await cp(join(REPO_ROOT, 'fixtures', 'py-web'), repo, { recursive: true });
    await git(['init', '-q', '-b', 'main'], repo, home);
    await git(['add', '.'], repo, home);
    await git(['commit', '-qm', 'first'], repo, home);
    env = { HOME: home, PAAS_API_URL: `https://127.0.0.1:${String(tlsPort)}`, NODE_EXTRA_CA_CERTS: join(paasd.dataDir, 'tls', 'ca.crt') };
  });
  after(async () => {
    await paasd?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('refuses the API without the platform CA, logs in with it', async () => {
    const untrusted = await runPaas(['login', '--token', paasd.token], { cwd: home, env: { ...env, NODE_EXTRA_CA_CERTS: '' } });
    assert.equal(untrusted.code, 1, untrusted.stdout);
    const login = await runPaas(['login', '--token', paasd.token], { cwd: home, env });
    assertOk(login, 'login over https');
    assert.match(login.stdout, new RegExp(`Logged in to https://127\\.0\\.0\\.1:${String(tlsPort)} as admin@localhost`));
  });

  it('creates an app whose git remote is https, verified with the same CA, and pushes to it', async () => {
    const created = await runPaas(['apps:create', 'secure'], { cwd: repo, env });
    assertOk(created, 'apps:create');
    assert.match(created.stderr, new RegExp(`Git remote paas added: https://127\\.0\\.0\\.1:${String(tlsPort)}/secure\\.git`));
    assertOk(await runPaas(['buildpacks:set', 'procfile', '-a', 'secure'], { cwd: repo, env }), 'buildpacks:set');
    const pushed = await git(['push', 'paas', 'main'], repo, home);
    assert.equal(pushed.code, 0, pushed.out);
    const releases = await runPaas(['releases', '-a', 'secure'], { cwd: repo, env });
    assert.match(releases.stdout, /Deploy \w+\s+admin@localhost/);
  });
});
