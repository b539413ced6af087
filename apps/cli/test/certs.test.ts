/**
 * paas certs, certs:add, certs:remove, certs:auto* and domains:redirect-https against the
 * real paasd, checked in the CLI's output. (Serving over HTTPS and ACME against pebble are
 * tested in apps/paasd/test.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
const skip = missing !== undefined && !process.env.CI ? missing : false;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

/** A self-signed certificate for `names` (a chain complete by itself), with openssl. */
function selfSigned(dir: string, base: string, names: string[]): { crt: string; key: string } {
  const crt = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', '30',
    '-subj', `/CN=${names[0] ?? 'x'}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`], { stdio: 'ignore' });
  return { crt, key };
}

describe('paas certs against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let refusingCa: Server;
  const paas = (args: string[]): Promise<PaasRun> => runPaas(args, { cwd: root, env });

  before(async () => {
    // An ACME directory that refuses: orders fail at once (a CA out of reach is retried for a minute first).
    refusingCa = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:unauthorized', detail: 'this CA refuses everyone' }));
    });
    refusingCa.listen(0, '127.0.0.1');
    await once(refusingCa, 'listening');
    const directory = `http://127.0.0.1:${String((refusingCa.address() as AddressInfo).port)}/directory`;
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local', PAAS_ACME_DIRECTORY: directory } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-certs-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    assertOk(await paas(['apps:create', 'demo']), 'apps:create');
    assertOk(await paas(['domains:add', 'www.demo.test', '-a', 'demo']), 'domains:add');
  });
  after(async () => {
    if (paasd) await paas(['apps:destroy', 'demo', '--confirm', 'demo']);
    await paasd?.stop();
    refusingCa.close();
    await rm(root, { recursive: true, force: true });
  });

  it('adds, lists and removes an uploaded certificate; refuses one that does not fit, saying why', async () => {
    const none = await paas(['certs', '-a', 'demo']);
    assertOk(none, 'certs');
    assert.match(none.stdout, /^www\.demo\.test +none *$/m);

    const good = selfSigned(root, 'good', ['www.demo.test']);
    const other = selfSigned(root, 'other', ['www.other.test']);
    const mismatched = await paas(['certs:add', good.crt, other.key, '-a', 'demo']);
    assert.equal(mismatched.code, 1);
    assert.match(mismatched.stderr, /The private key does not match the certificate/);
    const uncovered = await paas(['certs:add', other.crt, other.key, '-a', 'demo']);
    assert.match(uncovered.stderr, /covers www\.other\.test, none of the app's domains \(www\.demo\.test\)/);
    const unreadable = await paas(['certs:add', join(root, 'nope.crt'), other.key, '-a', 'demo']);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /Cannot read the certificate .*nope\.crt: ENOENT/);

    const added = await paas(['certs:add', good.crt, good.key, '-a', 'demo']);
    assertOk(added, 'certs:add');
    assert.match(added.stderr, /Adding SSL certificate to demo\.\.\. done/);
    assert.match(added.stdout, /Certificate for www\.demo\.test, issued by www\.demo\.test, expires \d{4}-/);
    const listed = await paas(['certs', '-a', 'demo']);
    assert.match(listed.stdout, /^Hostname +Source +Issuer +Expires +Status +Last error/m);
    assert.match(listed.stdout, /^www\.demo\.test +uploaded +www\.demo\.test +\d{4}-\S+ +uploaded *$/m);
    const json = JSON.parse((await paas(['certs', '-a', 'demo', '--json'])).stdout) as { id: string; domains: string[] }[];
    assert.deepEqual(json.map((cert) => cert.domains), [['www.demo.test']]);

    assertOk(await paas(['certs:remove', 'www.demo.test', '-a', 'demo']), 'certs:remove');
    assert.match((await paas(['certs', '-a', 'demo'])).stdout, /^www\.demo\.test +none *$/m);
  });

  it('turns automatic certificates on, shows a failing order with its reason, refreshes, turns them off; redirects HTTP to HTTPS', async () => {
    const enabled = await paas(['certs:auto:enable', '-a', 'demo']);
    assertOk(enabled, 'certs:auto:enable');
    assert.match(enabled.stdout, /Automated Certificate Management is enabled for demo/);
    let status = await paas(['certs:auto', '-a', 'demo']);
    for (const deadline = Date.now() + 10_000; !/failing/.test(status.stdout) && Date.now() < deadline; ) {
      await sleep(200);
      status = await paas(['certs:auto', '-a', 'demo']);
    }
    assert.match(status.stdout, /^www\.demo\.test +failing +\d{4}-\S+ +.*directory returned error 403/m);
    const certs = await paas(['certs', '-a', 'demo']);
    assertOk(certs, 'certs');
    assert.match(certs.stdout, /^www\.demo\.test +failing +.*directory returned error 403/m);
    const acmLog = await paas(['logs', '-a', 'demo', '--ps', 'acm']);
    assertOk(acmLog, 'logs --ps acm');
    assert.match(acmLog.stdout, /paas\[acm\]: Certificate order for www\.demo\.test failed: .*Next attempt at/);

    assertOk(await paas(['certs:auto:refresh', '-a', 'demo']), 'certs:auto:refresh');
    const disabled = await paas(['certs:auto:disable', '-a', 'demo']);
    assertOk(disabled, 'certs:auto:disable');
    assert.match(disabled.stdout, /Automated Certificate Management is disabled for demo/);

    const redirect = await paas(['domains:redirect-https', 'on', '-a', 'demo']);
    assertOk(redirect, 'domains:redirect-https on');
    assert.match((await paas(['certs:auto', '-a', 'demo'])).stdout, /HTTP is redirected to HTTPS/);
    const bad = await paas(['domains:redirect-https', 'maybe', '-a', 'demo']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Say on or off, not "maybe"/);
  });
});
