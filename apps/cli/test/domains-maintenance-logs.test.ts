/**
 * Custom domains, maintenance mode, logs and open against the real paasd running a
 * deployed app as a host process (PAAS_RUNTIME=local), checked where the user sees
 * them: the CLI's output and the router's answers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { PAAS_BIN, runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
// like the Docker tests: skip with a reason on a developer machine, never in CI
const skip = missing !== undefined && !process.env.CI ? missing : false;

const DEPLOY_TIMEOUT_MS = 120_000;
const LOG_WAIT_MS = 10_000;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  await chmod(path, 0o755);
}

/** GET / on the router with the given Host header: the status and body a browser would get. */
function getThroughRouter(routerPort: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: routerPort, path: '/', headers: { Host: host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('paas domains, maintenance, logs and open against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let webUrl: URL;
  const paas = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd = root, timeoutMs?: number): Promise<PaasRun> =>
    runPaas(args, { cwd, env: { ...env, ...extraEnv }, ...(timeoutMs ? { timeoutMs } : {}) });
  const router = (host: string): Promise<{ status: number; body: string }> => getThroughRouter(Number(webUrl.port), host);

  before(async () => {
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local' } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-domains-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    const pack = join(root, 'test-pack');
    await writeExecutable(join(pack, 'bin', 'detect'), '#!/bin/sh\necho Test\n');
    await writeExecutable(join(pack, 'bin', 'compile'), '#!/bin/sh\necho "-----> Compiling"\n');
    await writeExecutable(join(pack, 'bin', 'release'), "#!/bin/sh\nprintf -- '---\\ndefault_process_types:\\n  web: ./run\\n'\n");
    const appDir = join(root, 'app');
    await writeExecutable(
      join(appDir, 'run'),
      '#!/bin/sh\necho "hello from $DYNO"\n' +
        `exec node -e "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"\n`,
    );
    assertOk(await paas(['apps:create', 'demo']), 'apps:create');
    assertOk(await paas(['buildpacks:set', pack, '-a', 'demo']), 'buildpacks:set');
    assertOk(await paas(['deploy', '-a', 'demo'], {}, appDir, DEPLOY_TIMEOUT_MS), 'deploy');
    webUrl = new URL((JSON.parse((await paas(['apps:info', '-a', 'demo', '--json'])).stdout) as { web_url: string }).web_url);
  });
  after(async () => {
    // destroying the app stops its processes, which would outlive paasd otherwise (paasd leaves them to be adopted)
    if (paasd) await paas(['apps:destroy', 'demo', '--confirm', 'demo']);
    await paasd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('prints the log lines of the app and of the platform, filtered by process and source', async () => {
    let all = await paas(['logs', '-a', 'demo']);
    for (const deadline = Date.now() + LOG_WAIT_MS; !/app\[web\.1\]: hello from web\.1$/m.test(all.stdout) && Date.now() < deadline; ) {
      await sleep(200);
      all = await paas(['logs', '-a', 'demo']);
    }
    assertOk(all, 'logs');
    assert.match(all.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z app\[web\.1\]: hello from web\.1$/m);
    assert.match(all.stdout, /^\S+ paas\[web\.1\]: /m);
    assert.ok(all.stdout.endsWith('\n'));
    assert.equal(all.stderr, '');

    const app = await paas(['logs', '-a', 'demo', '--source', 'app', '--ps', 'web']);
    assertOk(app, 'logs --source app --ps web');
    assert.match(app.stdout, /^(\S+ app\[web\.1\]: .*\n)+$/);
    const platform = await paas(['logs', '-a', 'demo', '-s', 'paas', '-p', 'web.1']);
    assert.match(platform.stdout, /^(\S+ paas\[web\.1\]: .*\n)+$/);
    const last = await paas(['logs', '-a', 'demo', '-n', '1']);
    assert.match(last.stdout, /^\S+ (app|paas)\[[\w.]+\]: .*\n$/);
    const none = await paas(['logs', '-a', 'demo', '--ps', 'worker']);
    assertOk(none, 'logs --ps worker');
    assert.equal(none.stdout, '');
  });

  it('follows the stream with --tail: a request shows up as a router line and an app line', async () => {
    const child = spawn(process.execPath, [PAAS_BIN, 'logs', '--tail', '-n', '1', '-a', 'demo'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      // The session is open once a first line arrives; until then requests may go unseen.
      const deadline = Date.now() + LOG_WAIT_MS;
      while (!/paas\[router\]: at=info method=GET path="\/"/.test(out) && Date.now() < deadline) {
        await router(webUrl.hostname);
        await sleep(200);
      }
      assert.match(out, /^\S+ paas\[router\]: at=info method=GET path="\/" host=\S+ request_id=\S+ fwd="[^"]*" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+/m);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal)));
    assert.ok(code === 'SIGINT' || code === 130 || code === 0, `paas logs --tail ended with ${String(code)}:\n${out}`);
  });

  it('names a missing app', async () => {
    const nope = await paas(['logs', '-a', 'nope']);
    assert.equal(nope.code, 1);
    assert.equal(nope.stderr, " ▸    Couldn't find that app: nope.\n");
  });

  it('turns maintenance mode on and off, and the router answers 503 meanwhile', async () => {
    assert.equal((await paas(['maintenance', '-a', 'demo'])).stdout, 'off\n');
    assert.deepEqual(await router(webUrl.hostname), { status: 200, body: 'ok' });
    const on = await paas(['maintenance:on', '-a', 'demo']);
    assertOk(on, 'maintenance:on');
    assert.equal(on.stderr, 'Enabling maintenance mode for demo... done\n');
    assert.equal(on.stdout, '');
    assert.equal((await paas(['maintenance', '-a', 'demo'])).stdout, 'on\n');
    assert.equal((await router(webUrl.hostname)).status, 503);
    const off = await paas(['maintenance:off', '-a', 'demo']);
    assertOk(off, 'maintenance:off');
    assert.equal(off.stderr, 'Disabling maintenance mode for demo... done\n');
    assert.equal((await paas(['maintenance', '-a', 'demo'])).stdout, 'off\n');
    assert.deepEqual(await router(webUrl.hostname), { status: 200, body: 'ok' });
  });

  it('lists only the platform domain before any custom one is added', async () => {
    const list = await paas(['domains', '-a', 'demo']);
    assertOk(list, 'domains');
    assert.equal(
      list.stdout,
      `=== demo Platform Domain\n${webUrl.hostname}\n\ndemo has no custom domains: add one with paas domains:add www.example.com -a demo.\n`,
    );
    assert.equal((await paas(['domains', '-a', 'demo', '--json'])).stdout, '[]\n');
  });

  it('adds custom domains, lists them with their DNS records, and routes them to the app', async () => {
    const add = await paas(['domains:add', 'www.example.com', '-a', 'demo']);
    assertOk(add, 'domains:add');
    assert.equal(add.stderr, 'Adding www.example.com to demo... done\n');
    assert.equal(add.stdout, `Configure your DNS provider to point www.example.com at ${webUrl.hostname} (record type: CNAME).\n`);
    const apex = await paas(['domains:add', 'Example.com', '-a', 'demo', '--json']);
    assertOk(apex, 'domains:add --json');
    assert.equal((JSON.parse(apex.stdout) as { hostname: string }).hostname, 'example.com');

    const list = await paas(['domains', '-a', 'demo']);
    assertOk(list, 'domains');
    const [, custom = ''] = list.stdout.split('\n\n');
    assert.match(custom, /^=== demo Custom Domains\nDomain Name +DNS Record Type +DNS Target +Added\n[─ ]+\n/);
    assert.match(custom, new RegExp(`^example\\.com +ALIAS or ANAME +${webUrl.hostname.replace(/\./g, '\\.')} +\\S`, 'm'));
    assert.match(custom, new RegExp(`^www\\.example\\.com +CNAME +${webUrl.hostname.replace(/\./g, '\\.')} +\\S`, 'm'));
    const json = JSON.parse((await paas(['domains', '-a', 'demo', '--json'])).stdout) as { hostname: string; app: { name: string } }[];
    assert.deepEqual(json.map((d) => `${d.hostname} ${d.app.name}`).sort(), ['example.com demo', 'www.example.com demo']);

    assert.deepEqual(await router('www.example.com'), { status: 200, body: 'ok' });
  });

  it('refuses a taken, an invalid and an unknown domain with the API message', async () => {
    const taken = await paas(['domains:add', 'www.example.com', '-a', 'demo']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stderr, 'Adding www.example.com to demo... !\n ▸    www.example.com is already a domain of an app on this platform.\n');
    const invalid = await paas(['domains:add', 'not a host', '-a', 'demo']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /▸ {4}Invalid hostname "not a host"/);
    const unknown = await paas(['domains:remove', 'nope.example.com', '-a', 'demo']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^Removing nope\.example\.com from demo\.\.\. !\n ▸ {4}\S/);
  });

  it('removes a custom domain, after which the router no longer sends it to the app', async () => {
    const remove = await paas(['domains:remove', 'www.example.com', '-a', 'demo']);
    assertOk(remove, 'domains:remove');
    assert.equal(remove.stderr, 'Removing www.example.com from demo... done\n');
    const json = JSON.parse((await paas(['domains', '-a', 'demo', '--json'])).stdout) as { hostname: string }[];
    assert.deepEqual(json.map((d) => d.hostname), ['example.com']);
    assert.notEqual((await router('www.example.com')).body, 'ok');
  });

  it('prints the web URL, and opens it with xdg-open only when there is a display', async () => {
    const bin = join(root, 'bin');
    const opened = join(root, 'opened.txt');
    await writeExecutable(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" >> '${opened}'\n`);
    const path = `${bin}:${process.env.PATH ?? ''}`;

    const headless = await paas(['open', '-a', 'demo'], { PATH: path });
    assertOk(headless, 'open');
    assert.equal(headless.stdout, `${webUrl.href}\n`);
    const withDisplay = await paas(['open', '/admin?x=1', '-a', 'demo'], { PATH: path, DISPLAY: ':99' });
    assertOk(withDisplay, 'open with a display');
    const expected = new URL('/admin?x=1', webUrl).href;
    assert.equal(withDisplay.stdout, `${expected}\n`);
    let seen = '';
    for (const deadline = Date.now() + 5000; seen === '' && Date.now() < deadline; await sleep(50)) {
      seen = await readFile(opened, 'utf8').catch(() => ''); // xdg-open runs detached: it may not have written yet
    }
    assert.equal(seen, `${expected}\n`, 'xdg-open ran once, for the display run only, with the URL as its one argument');
  });
});
