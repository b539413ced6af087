/**
 * paas metrics and paas twelve-factor against the real paasd with a deployed app
 * (PAAS_RUNTIME=local): what the user reads after a few requests through the router.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
const skip = missing !== undefined && !process.env.CI ? missing : false;

async function writeExecutable(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  await chmod(path, 0o755);
}

function get(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(url.port), path: '/', headers: { Host: url.hostname } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('paas metrics and paas twelve-factor against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const paas = (args: string[], cwd = root, timeoutMs?: number): Promise<PaasRun> => runPaas(args, { cwd, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const ok = (run: PaasRun, what: string): PaasRun => {
    assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
    return run;
  };

  before(async () => {
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local' } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-metrics-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    const pack = join(root, 'test-pack');
    await writeExecutable(join(pack, 'bin', 'detect'), '#!/bin/sh\necho Test\n');
    await writeExecutable(join(pack, 'bin', 'compile'), '#!/bin/sh\necho "-----> Compiling"\n');
    await writeExecutable(join(pack, 'bin', 'release'), "#!/bin/sh\nprintf -- '---\\ndefault_process_types:\\n  web: ./run\\n'\n");
    const appDir = join(root, 'app');
    await writeExecutable(join(appDir, 'run'), `#!/bin/sh\nexec node -e "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"\n`);
    ok(await paas(['apps:create', 'demo']), 'apps:create');
    ok(await paas(['buildpacks:set', pack, '-a', 'demo']), 'buildpacks:set');
    ok(await paas(['deploy', '-a', 'demo'], appDir, 120_000), 'deploy');
  });
  after(async () => {
    if (paasd) await paas(['apps:destroy', 'demo', '--confirm', 'demo']);
    await paasd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('summarises the requests the router saw', async () => {
    const webUrl = new URL((JSON.parse(ok(await paas(['apps:info', '-a', 'demo', '--json']), 'apps:info').stdout) as { web_url: string }).web_url);
    for (let i = 0; i < 3; i += 1) assert.equal(await get(webUrl), 200);
    const summary = ok(await paas(['metrics', '-a', 'demo']), 'metrics');
    assert.match(summary.stdout, /^=== demo metrics, last 1h$/m);
    assert.match(summary.stdout, /^Requests: +3 \(2xx 3\)$/m);
    assert.match(summary.stdout, /^Response time: +p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms$/m);
    assert.match(summary.stdout, /^Releases: +v1 \d\d:\d\d · v2 \d\d:\d\d$/m);
    const json = JSON.parse(ok(await paas(['metrics', '-a', 'demo', '--since', '6h', '--json']), 'metrics --json').stdout) as { step_seconds: number };
    assert.equal(json.step_seconds, 300);
    const refused = await paas(['metrics', '-a', 'demo', '--since', '2h']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--since is one of 1h, 6h, 24h/);
  });

  it('shows the scorecard of the current release and of an older one', async () => {
    const card = ok(await paas(['twelve-factor', '-a', 'demo']), 'twelve-factor');
    assert.match(card.stdout, /^=== demo v2: twelve-factor$/m);
    assert.match(card.stdout, /^✓ V Build, release, run +meets +Immutable slug sha256:[0-9a-f]{12} /m);
    assert.match(card.stdout, /^✓ VIII Concurrency +meets +Process types web; scale web=1\.$/m);
    const first = JSON.parse(ok(await paas(['twelve-factor', 'v1', '-a', 'demo', '--json']), 'twelve-factor v1').stdout) as { release: number; factors: { factor: string; verdict: string }[] };
    assert.equal(first.release, 1);
    assert.equal(first.factors.find((f) => f.factor === 'V')?.verdict, 'not-observed');
  });
});
