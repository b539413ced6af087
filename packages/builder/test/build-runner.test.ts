import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { type BuildResult, type RunBuildOptions, runBuild, unpackSlug } from '../src/index.js';
import { captureText, writeBuildpack, writeFiles } from './buildpack-fixture.js';
import { makeTar } from './tar-writer.js';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));

async function build(options: Partial<RunBuildOptions> & { sourceDir?: string }): Promise<{ result: BuildResult; output: string; root: string }> {
  const root = await tempDir();
  const output = captureText();
  const result = await runBuild({
    cacheDir: join(root, 'cache'),
    output: output.stream,
    workRoot: root,
    slugFile: join(root, 'slug.tgz'),
    ...options,
  });
  return { result, output: output.text(), root };
}

function succeeded(result: BuildResult): Extract<BuildResult, { status: 'succeeded' }> {
  if (result.status !== 'succeeded') assert.fail(`build failed: ${JSON.stringify(result.failure)}`);
  return result;
}

function failed(result: BuildResult): Extract<BuildResult, { status: 'failed' }> {
  if (result.status !== 'failed') assert.fail('the build should have failed');
  return result;
}

async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A killed process whose parent died may linger as a zombie until init reaps it.
  const status = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => '');
  return status === '' || status.split(') ')[1]?.startsWith('Z') === true;
}

describe('runBuild with buildpacks given by path', () => {
  it('runs two packs in order: ENV_DIR, STACK, SOURCE_VERSION, export chaining, release defaults, the Procfile wins', async () => {
    const dir = await tempDir();
    const packA = await writeBuildpack(join(dir, 'pack-a'), {
      detect: 'echo "Pack A"',
      compile: [
        'build=$1 cache=$2 env=$3',
        'echo "       pack A compiling"',
        'cat "$env/GREETING" > "$build/greeting.txt"',
        'printf %s "$STACK" > "$build/stack.txt"',
        'printf %s "${GREETING:-not exported}" > "$build/greeting-env.txt"',
        'printf %s "${SOURCE_VERSION:-}" > "$build/source-version.txt"',
        'echo kept > "$cache/a.txt"',
        'bp_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)',
        'printf "export FROM_A=%q\\n" "value from A" > "$bp_dir/export"',
      ].join('\n'),
      release: "printf -- '---\\ndefault_process_types:\\n  worker: echo work\\n  web: echo default-web\\n'",
    });
    const packB = await writeBuildpack(join(dir, 'pack-b'), {
      detect: 'echo "Pack B"',
      compile: 'printf %s "${FROM_A:-missing}" > "$1/from-a.txt"',
      release: "printf -- '---\\ndefault_process_types:\\n  clock: echo tick\\n'",
    });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: ./web --port $PORT\n', 'README.md': 'hi\n' });
    const { result, output, root } = await build({
      sourceDir: app,
      buildpacks: [packA, packB],
      configVars: { GREETING: 'hello from config' },
      stack: 'paas-test-stack',
      commit: 'abc1234',
    });
    const built = succeeded(result);
    assert.deepEqual(built.processTypes, { web: './web --port $PORT', worker: 'echo work', clock: 'echo tick' });
    assert.deepEqual(Object.keys(built.processTypes), ['web', 'worker', 'clock']);
    assert.deepEqual(built.buildpacks, [
      { ref: packA, name: 'Pack A' },
      { ref: packB, name: 'Pack B' },
    ]);
    const out = join(root, 'out');
    await unpackSlug(built.slug.file, out);
    assert.equal(await readFile(join(out, 'greeting.txt'), 'utf8'), 'hello from config');
    assert.equal(await readFile(join(out, 'greeting-env.txt'), 'utf8'), 'not exported', 'config vars are files, not env');
    assert.equal(await readFile(join(out, 'stack.txt'), 'utf8'), 'paas-test-stack');
    assert.equal(await readFile(join(out, 'source-version.txt'), 'utf8'), 'abc1234');
    assert.equal(await readFile(join(out, 'from-a.txt'), 'utf8'), 'value from A');
    assert.equal(await readFile(join(root, 'cache', 'a.txt'), 'utf8'), 'kept\n');
    await assert.rejects(stat(join(packA, 'export')), { code: 'ENOENT' }, 'each build writes exports into its own copy');
    for (const line of [
      '-----> Building on the paas-test-stack stack',
      '-----> Using buildpacks:',
      `       1. ${packA}`,
      `       2. ${packB}`,
      '-----> Pack A app detected',
      '       pack A compiling',
      '-----> Pack B app detected',
      '-----> Discovering process types',
      '       Procfile declares types     -> web',
      '       Default types for buildpack -> worker, web, clock',
      '-----> Compressing...',
    ]) {
      assert.ok(output.split('\n').includes(line), `output has ${JSON.stringify(line)}:\n${output}`);
    }
    assert.deepEqual(await readdir(root).then((names) => names.filter((name) => name.startsWith('paas-build-'))), [], 'the work dir is gone');
  });

  it('clones a buildpack from a git URL (with #branch)', async () => {
    const dir = await tempDir();
    const pack = await writeBuildpack(join(dir, 'pack'), { detect: 'echo "From Git"', compile: 'echo "       compiled by the cloned pack"' });
    const git = { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } };
    await run('git', ['init', '-q', '-b', 'stable', pack], git);
    await run('git', ['-C', pack, 'add', '.'], git);
    await run('git', ['-C', pack, 'commit', '-q', '-m', 'pack'], git);
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: ./server\n' });
    const url = `file://${pack}#stable`;
    const { result, output } = await build({ sourceDir: app, buildpacks: [url], allowFileUrls: true });
    assert.deepEqual(succeeded(result).buildpacks, [{ ref: url, name: 'From Git' }]);
    assert.match(output, /compiled by the cloned pack/);

    const refused = await build({ sourceDir: app, buildpacks: [url] });
    assert.equal(failed(refused.result).failure.kind, 'buildpack_unavailable');
    assert.match(refused.output, / ! {5}The buildpack file:\/\/.* could not be loaded/);
  });

  it('fails with the packs it tried when none detects the app', async () => {
    const dir = await tempDir();
    const app = await writeFiles(join(dir, 'app'), { 'README.md': 'nothing to build\n' });
    const { result, output } = await build({ sourceDir: app });
    const { failure } = failed(result);
    assert.equal(failure.kind, 'no_buildpack_detected');
    assert.match(output, / ! {5}No buildpack recognized this app \(tried, in order: nodejs, python, go, static, procfile\)\./);
    assert.match(output, / ! {5}Likely cause: .*nodejs: package\.json; python: requirements\.txt/);
    assert.match(output, / ! {5}Fix: .*`paas buildpacks:set <name-or-url>`/);
  });

  it('kills a hanging compile, and what it started, at the timeout', async () => {
    const dir = await tempDir();
    const pack = await writeBuildpack(join(dir, 'hangs'), {
      compile: ['sleep 300 &', 'echo $! > "$(cat "$3/PIDFILE")"', 'echo "-----> Waiting forever"', 'sleep 300'].join('\n'),
    });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: x\n' });
    const pidFile = join(dir, 'background.pid');
    const started = Date.now();
    const { result, output } = await build({ sourceDir: app, buildpacks: [pack], configVars: { PIDFILE: pidFile }, timeoutMs: 1500 });
    assert.ok(Date.now() - started < 10_000, 'the build stopped soon after the timeout');
    const { failure } = failed(result);
    assert.equal(failure.kind, 'build_timeout');
    assert.match(output, / ! {5}The build reached the time limit of 2 seconds \(during the .* compile step\) and was stopped; the app keeps its current release\./);
    assert.match(output, / ! {5}Fix: .*the operator can raise PAAS_BUILD_TIMEOUT/);
    const pid = Number(await readFile(pidFile, 'utf8'));
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++) {
      gone = await isGone(pid);
      if (!gone) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(gone, `the background process ${String(pid)} was killed with the build`);
  });

  it('stops when canceled', async () => {
    const dir = await tempDir();
    const pack = await writeBuildpack(join(dir, 'slow'), { compile: 'sleep 300' });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: x\n' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result } = await build({ sourceDir: app, buildpacks: [pack], signal: controller.signal });
    assert.equal(failed(result).failure.kind, 'build_canceled');
  });

  it('caps what a build prints and says so, and keeps going', async () => {
    const dir = await tempDir();
    const pack = await writeBuildpack(join(dir, 'loud'), { compile: "head -c 5000000 /dev/zero | tr '\\0' x | fold -w 99" });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: x\n' });
    const { result, output } = await build({ sourceDir: app, buildpacks: [pack], outputLimitBytes: 100_000 });
    succeeded(result);
    assert.ok(output.length < 102_000, `output was capped (${String(output.length)} bytes)`);
    assert.match(output, / {7}\[output truncated: this build printed more than 97\.7K; the rest is not shown, the build goes on\]/);
    assert.match(output, /-----> Compressing\.\.\./);
  });

  it('classifies a compile failure the buildpack did not explain', async () => {
    const dir = await tempDir();
    const pack = await writeBuildpack(join(dir, 'breaks'), { compile: 'echo "something broke"; exit 3' });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: x\n' });
    const { result, output } = await build({ sourceDir: app, buildpacks: [pack] });
    const { failure } = failed(result);
    assert.equal(failure.kind, 'compile_failed');
    assert.equal(failure.what, `The ${pack} buildpack failed to compile the app.`);
    assert.match(output, / ! {5}Likely cause: Its compile step exited with status 3;/);
  });

  it('reports an explicit buildpack that does not detect the app and a bad release, and builds an app with nothing to run', async () => {
    const dir = await tempDir();
    const app = await writeFiles(join(dir, 'app'), { 'index.txt': 'x\n' });
    const no = await writeBuildpack(join(dir, 'no'), { detect: 'exit 1', compile: 'true' });
    assert.equal(failed((await build({ sourceDir: app, buildpacks: [no] })).result).failure.kind, 'buildpack_incompatible');
    const badRelease = await writeBuildpack(join(dir, 'bad-release'), { compile: 'true', release: "echo 'default_process_types: [web'" });
    const released = await build({ sourceDir: app, buildpacks: [badRelease] });
    assert.equal(failed(released.result).failure.kind, 'release_failed');
    assert.match(released.output, /release step failed: its output is not YAML/);
    const silent = await writeBuildpack(join(dir, 'silent'), { compile: 'true' });
    const nothing = await build({ sourceDir: app, buildpacks: [silent] });
    assert.deepEqual(succeeded(nothing.result).processTypes, {}, 'built and released with nothing to run, as Heroku does');
    assert.match(nothing.output, / ! {5}Warning: this app declares no process types, so the release runs nothing\./);
  });

  it('reports an invalid Procfile with its line', async () => {
    const dir = await tempDir();
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: ./server\nweb: ./other\n' });
    const { result, output } = await build({ sourceDir: app, buildpacks: ['procfile'] });
    const { failure } = failed(result);
    assert.equal(failure.kind, 'invalid_procfile');
    assert.match(output, / ! {5}Likely cause: Procfile line 2: process type web is already declared on line 1\./);
  });
});

describe('runBuild with a source archive', () => {
  it('builds from a gzipped `git archive` stream, keeping executable bits', async () => {
    const dir = await tempDir();
    const repo = join(dir, 'repo');
    await cp(join(FIXTURES, 'procfile-only'), repo, { recursive: true });
    const git = { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } };
    await run('git', ['init', '-q', '-b', 'main', repo], git);
    await run('git', ['-C', repo, 'add', '.'], git);
    await run('git', ['-C', repo, 'commit', '-q', '-m', 'app'], git);
    const archive = spawn('git', ['archive', '--format=tar.gz', 'HEAD'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    // Read it from the start: node discards a child's unread output when the child exits,
    // and `build` awaits a temp dir before it takes the stream.
    const { result, root } = await build({ sourceTar: archive.stdout.pipe(new PassThrough()) });
    const built = succeeded(result);
    assert.deepEqual(built.processTypes, { web: './bin/server', worker: './bin/worker' });
    assert.deepEqual(built.buildpacks, [{ ref: 'procfile', name: 'Procfile' }]);
    await unpackSlug(built.slug.file, join(root, 'out'));
    assert.equal((await stat(join(root, 'out', 'bin', 'server'))).mode & 0o111, 0o111);
  });

  it('refuses an archive with a `..` entry and writes nothing outside', async () => {
    const tar = makeTar([
      { name: 'Procfile', body: 'web: x\n' },
      { name: '../evil', body: 'escaped' },
    ]);
    const { result, output, root } = await build({ sourceTar: Readable.from([tar]) });
    const { failure } = failed(result);
    assert.equal(failure.kind, 'unsafe_path');
    assert.match(output, / ! {5}The source archive holds an entry the platform refuses: \.\.\/evil \(it climbs out of the target directory with "\.\."\)\./);
    assert.deepEqual((await readdir(root)).sort(), ['cache'], 'nothing escaped, the work dir is gone');
  });

  it('refuses a stream that is not a tar archive', async () => {
    const { result } = await build({ sourceTar: Readable.from([Buffer.from('definitely not a tarball'.repeat(40))]) });
    assert.equal(failed(result).failure.kind, 'invalid_source');
  });
});

describe('runBuild options', () => {
  it('wants exactly one source and valid config var keys', async () => {
    const output = captureText().stream;
    await assert.rejects(runBuild({ cacheDir: '/tmp/x', output }), /exactly one of sourceDir and sourceTar/);
    await assert.rejects(runBuild({ sourceDir: '/tmp', cacheDir: '/tmp/x', output, configVars: { '../x': 'y' } }), /Invalid config var keys/);
  });
});
