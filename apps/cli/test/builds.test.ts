/**
 * Buildpacks, builds and `paas deploy` against the real paasd running builds as host
 * processes (PAAS_RUNTIME=local), with a test buildpack made of plain shell scripts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

const DEPLOY_TIMEOUT_MS = 120_000;
const NOTE = 'The change takes effect on the next deploy of demo (git push or paas deploy).\n';

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

function urlsOf(run: PaasRun): string[] {
  const installations = JSON.parse(run.stdout) as { ordinal: number; buildpack: { url: string } }[];
  assert.deepEqual(installations.map((i) => i.ordinal), installations.map((_, i) => i), 'ordinals count from 0');
  return installations.map((installation) => installation.buildpack.url);
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  await chmod(path, 0o755);
}

/** A buildpack as plain shell scripts; its compile lists the build dir, so tests see what was uploaded. */
async function writeTestBuildpack(dir: string, compileStatus: number): Promise<void> {
  await writeExecutable(join(dir, 'bin', 'detect'), '#!/bin/sh\necho Test\n');
  await writeExecutable(
    join(dir, 'bin', 'compile'),
    '#!/bin/sh\n' +
      'echo "-----> Compiling"\n' +
      'echo compiled > "$1/compiled.txt"\n' +
      'ls -A "$1" | sort | sed "s/^/       uploaded: /"\n' +
      (compileStatus === 0 ? '' : `echo " !     The test pack fails on purpose"\nexit ${String(compileStatus)}\n`),
  );
  await writeExecutable(join(dir, 'bin', 'release'), "#!/bin/sh\nprintf -- '---\\ndefault_process_types:\\n  web: ./run\\n'\n");
}

describe('paas buildpacks, builds and deploy against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let appDir: string;
  let env: NodeJS.ProcessEnv;
  const paas = (args: string[], cwd = root, timeoutMs?: number): Promise<PaasRun> =>
    runPaas(args, { cwd, env, ...(timeoutMs ? { timeoutMs } : {}) });

  before(async () => {
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local' } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-builds-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    await writeTestBuildpack(join(root, 'test-pack'), 0);
    await writeTestBuildpack(join(root, 'failing-pack'), 1);
    appDir = join(root, 'app');
    await writeExecutable(
      join(appDir, 'run'),
      `#!/bin/sh\nexec node -e "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)"\n`,
    );
    await writeFile(join(appDir, 'index.txt'), 'hello\n');
    await writeExecutable(join(appDir, 'node_modules', 'dep', 'index.js'), 'left out\n');
    assertOk(await paas(['apps:create', 'demo']), 'apps:create');
  });
  after(async () => {
    // destroying the app stops its processes, which would outlive paasd otherwise (paasd leaves them to be adopted)
    if (paasd) await paas(['apps:destroy', 'demo', '--confirm', 'demo']);
    await paasd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('says when an app has no buildpacks set', async () => {
    const run = await paas(['buildpacks', '-a', 'demo']);
    assertOk(run, 'buildpacks');
    assert.equal(
      run.stdout,
      'demo has no buildpacks set: paas detects which to use on each deploy. Set one with paas buildpacks:set BUILDPACK.\n',
    );
    assert.deepEqual(JSON.parse((await paas(['buildpacks', '-a', 'demo', '--json'])).stdout), []);
  });

  it('sets, adds, inserts and replaces buildpacks', async () => {
    const set = await paas(['buildpacks:set', 'nodejs', '-a', 'demo', '--json']);
    assertOk(set, 'buildpacks:set');
    assert.deepEqual(JSON.parse(set.stdout), [{ ordinal: 0, buildpack: { url: 'nodejs', name: 'nodejs' } }]);
    assert.equal(set.stderr, `Setting the buildpack of demo to nodejs... done\n${NOTE}`);

    const add = await paas(['buildpacks:add', 'https://github.com/x/y.git', '-a', 'demo']);
    assertOk(add, 'buildpacks:add');
    assert.equal(add.stdout, '=== demo Buildpack URLs\n1. nodejs\n2. https://github.com/x/y.git\n');
    assert.equal(add.stderr, `Adding https://github.com/x/y.git to the buildpacks of demo... done\n${NOTE}`);

    const insert = await paas(['buildpacks:add', '/opt/first', '-i', '1', '-a', 'demo', '--json']);
    assertOk(insert, 'buildpacks:add -i 1');
    assert.deepEqual(urlsOf(insert), ['/opt/first', 'nodejs', 'https://github.com/x/y.git']);

    const replace = await paas(['buildpacks:set', 'static', '--index', '2', '-a', 'demo', '--json']);
    assertOk(replace, 'buildpacks:set -i 2');
    assert.deepEqual(urlsOf(replace), ['/opt/first', 'static', 'https://github.com/x/y.git']);

    const list = await paas(['buildpacks', '-a', 'demo']);
    assert.equal(list.stdout, '=== demo Buildpack URLs\n1. /opt/first\n2. static\n3. https://github.com/x/y.git\n');
  });

  it('refuses a duplicate, a position past the end and a bad reference, changing nothing', async () => {
    const twice = await paas(['buildpacks:add', 'static', '-a', 'demo']);
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, ' ▸    The buildpack static is already set at position 2: nothing changed.\n');
    const past = await paas(['buildpacks:set', 'nodejs', '-i', '9', '-a', 'demo']);
    assert.equal(past.code, 1);
    assert.match(past.stderr, /no buildpack at position 9: the app has 3 buildpacks/);
    const bad = await paas(['buildpacks:add', 'not a buildpack', '-a', 'demo']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Adding not a buildpack to the buildpacks of demo\.\.\. !\n ▸ {4}\S.*\n/);
    const relative = await paas(['buildpacks:set', 'packs/mine', '-a', 'demo']);
    assert.equal(relative.code, 1, 'a relative path means nothing on the paas host');
    const list = await paas(['buildpacks', '-a', 'demo', '--json']);
    assert.deepEqual(urlsOf(list), ['/opt/first', 'static', 'https://github.com/x/y.git']);
  });

  it('removes buildpacks by name and by position, then clears them', async () => {
    const byName = await paas(['buildpacks:remove', 'static', '-a', 'demo', '--json']);
    assertOk(byName, 'buildpacks:remove static');
    assert.deepEqual(urlsOf(byName), ['/opt/first', 'https://github.com/x/y.git']);
    assert.equal(byName.stderr, `Removing static from the buildpacks of demo... done\n${NOTE}`);
    const byIndex = await paas(['buildpacks:remove', '-i', '2', '-a', 'demo', '--json']);
    assertOk(byIndex, 'buildpacks:remove -i 2');
    assert.deepEqual(urlsOf(byIndex), ['/opt/first']);
    const notSet = await paas(['buildpacks:remove', 'nodejs', '-a', 'demo']);
    assert.equal(notSet.code, 1);
    assert.match(notSet.stderr, /The buildpack nodejs is not set on the app/);
    const clear = await paas(['buildpacks:clear', '-a', 'demo', '--json']);
    assertOk(clear, 'buildpacks:clear');
    assert.deepEqual(JSON.parse(clear.stdout), []);
    assert.equal(clear.stderr, `Clearing the buildpacks of demo... done\n${NOTE}`);
    const text = await paas(['buildpacks:clear', '-a', 'demo']);
    assert.match(text.stdout, /^demo has no buildpacks set: paas detects which to use on each deploy\./);
  });

  it('lists no builds before the first deploy', async () => {
    const run = await paas(['builds', '-a', 'demo']);
    assertOk(run, 'builds');
    assert.equal(run.stdout, 'demo has no builds yet: deploy with git push or paas deploy.\n');
    assert.deepEqual(JSON.parse((await paas(['builds', '-a', 'demo', '--json'])).stdout), []);
    const info = await paas(['builds:info', '-a', 'demo']);
    assert.equal(info.code, 1);
    assert.equal(info.stderr, ' ▸    demo has no builds yet: deploy with git push or paas deploy.\n');
  });

  it('deploys a directory with the buildpack set by path, streaming the build output', async () => {
    assertOk(await paas(['buildpacks:set', join(root, 'test-pack'), '-a', 'demo']), 'buildpacks:set test-pack');
    const run = await paas(['deploy', '-a', 'demo'], appDir, DEPLOY_TIMEOUT_MS);
    assertOk(run, 'deploy');
    assert.equal(run.stderr, 'Uploading . (2 files)...\n');
    assert.match(run.stdout, /^-----> Compiling$/m);
    const uploaded = [...run.stdout.matchAll(/^ {7}uploaded: (.+)$/gm)].map((match) => match[1]);
    assert.deepEqual(uploaded, ['compiled.txt', 'index.txt', 'run'], 'node_modules stays out');
    const releases = await paas(['releases', '-a', 'demo']);
    assertOk(releases, 'releases');
    assert.match(releases.stdout, /^v2 +Deploy\b/m);
  });

  it('lists the build and shows it, with the output the deploy printed', async () => {
    const builds = JSON.parse((await paas(['builds', '-a', 'demo', '--json'])).stdout) as {
      id: string;
      status: string;
      source_blob: { version: string | null };
      release: { version: number } | null;
    }[];
    assert.equal(builds.length, 1);
    const [build] = builds;
    assert.equal(build?.status, 'succeeded');
    assert.equal(build?.source_blob.version, null);
    assert.equal(build?.release?.version, 2);
    const table = await paas(['builds', '-a', 'demo']);
    assert.match(table.stdout, /^=== demo Builds\nID +Status +Commit +By +When\n[─ ]+\n(\S{8}) +succeeded +- +\S+ +(just now|\d+s ago)\n$/);
    const shortId = build?.id.slice(0, 8) ?? '';
    const info = await paas(['builds:info', shortId, '-a', 'demo']);
    assertOk(info, 'builds:info SHORT_ID');
    assert.match(info.stdout, new RegExp(`^=== Build ${build?.id ?? ''}\n`));
    assert.match(info.stdout, /^Status: +succeeded$/m);
    assert.match(info.stdout, /^Release: +v2$/m);
    const output = await paas(['builds:output', '-a', 'demo']);
    assertOk(output, 'builds:output');
    assert.match(output.stdout, /^-----> Compiling$/m);
    assert.match(output.stdout, /^ {7}uploaded: index\.txt$/m);
    const unknown = await paas(['builds:info', 'no-such-build', '-a', 'demo']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^ ▸ {4}\S/);
  });

  it('exits 1 when the build fails, naming the build, and keeps the release', async () => {
    assertOk(await paas(['buildpacks:set', join(root, 'failing-pack'), '-a', 'demo']), 'buildpacks:set failing-pack');
    const run = await paas(['deploy', appDir, '-a', 'demo'], root, DEPLOY_TIMEOUT_MS);
    assert.equal(run.code, 1, `${run.stderr}${run.stdout}`);
    assert.match(run.stdout, /^-----> Compiling$/m);
    assert.match(run.stdout, /The test pack fails on purpose/);
    assert.match(run.stderr, /^Uploading \/\S+\/app \(2 files\)\.\.\.\n/);
    const failed = / ▸ {4}Build failed: see the output above, or paas builds:output (\S+)\n$/.exec(run.stderr);
    assert.ok(failed, run.stderr);
    const output = await paas(['builds:output', failed[1] ?? '', '-a', 'demo']);
    assertOk(output, 'builds:output of the failed build');
    assert.match(output.stdout, /The test pack fails on purpose/);
    const builds = JSON.parse((await paas(['builds', '-a', 'demo', '--json'])).stdout) as { id: string; status: string }[];
    assert.deepEqual(builds.map((build) => build.status), ['failed', 'succeeded'], 'newest first');
    assert.equal(builds[0]?.id, failed[1]);
    const releases = JSON.parse((await paas(['releases', '-a', 'demo', '--json'])).stdout) as { version: number }[];
    assert.equal(releases[0]?.version, 2, 'a failed build makes no release');
  });

  it('deploys from a git work tree what git would commit: uncommitted changes in, ignored files out', async () => {
    assertOk(await paas(['buildpacks:set', join(root, 'test-pack'), '-a', 'demo']), 'buildpacks:set test-pack');
    const repo = join(root, 'git-app');
    // a web process must bind $PORT for paasd to release it (it waits for that since the boot check)
    await writeExecutable(join(repo, 'run'), await readFile(join(appDir, 'run'), 'utf8'));
    await writeFile(join(repo, '.gitignore'), 'secret.txt\n');
    await writeFile(join(repo, 'secret.txt'), 'ignored\n');
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
    };
    git('init', '--quiet');
    git('add', '.');
    git('commit', '--quiet', '-m', 'first');
    await writeExecutable(join(repo, 'lib', 'new.txt'), 'not committed yet\n');
    const run = await paas(['deploy', '-a', 'demo'], repo, DEPLOY_TIMEOUT_MS);
    assertOk(run, 'deploy from git');
    assert.equal(run.stderr, 'Uploading . (3 files)...\n');
    const uploaded = [...run.stdout.matchAll(/^ {7}uploaded: (.+)$/gm)].map((match) => match[1]);
    assert.deepEqual(uploaded, ['.gitignore', 'compiled.txt', 'lib', 'run']);
    const releases = JSON.parse((await paas(['releases', '-a', 'demo', '--json'])).stdout) as { version: number; description: string }[];
    assert.equal(releases[0]?.version, 3);
    assert.match(releases[0]?.description ?? '', /^Deploy\b/);
  });

  it('purges the build cache once confirmed', async () => {
    const refused = await paas(['builds:cache:purge', '-a', 'demo']);
    assert.equal(refused.code, 2);
    const run = await paas(['builds:cache:purge', '-a', 'demo', '--confirm', 'demo']);
    assertOk(run, 'builds:cache:purge');
    assert.equal(run.stderr, 'Purging build cache of demo... done\n');
  });
});
