/**
 * Real builds of one fixture app per shape (package managers, workspaces, a native
 * module, TypeScript, Python, Go, nothing to run, an unsupported language), each run
 * from its unpacked slug. One warm-up build downloads node and npm; every other case
 * starts from a copy of its runtimes cache. The native module compiles from source
 * (about a minute): it is the one slow case.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { type BuildResult, runBuild, unpackSlug } from '../src/index.js';
import { captureText, writeFiles } from './buildpack-fixture.js';
import { type RegistryProxy, startRegistryProxy } from './registry-proxy.js';
import { startSlugProcess } from './slug-process.js';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));

function succeeded(result: BuildResult): Extract<BuildResult, { status: 'succeeded' }> {
  if (result.status !== 'succeeded') assert.fail(`build failed: ${JSON.stringify(result.failure)} ${String(result.error)}`);
  return result;
}

function failed(result: BuildResult): Extract<BuildResult, { status: 'failed' }> {
  if (result.status !== 'failed') assert.fail('the build should have failed');
  return result;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// Two chains at once: the native module's compile (CPU) overlaps the other builds (mostly I/O).
describe('app shapes, built with the platform buildpacks and run from their slugs', { concurrency: 2 }, () => {
  let root = '';
  let proxy: RegistryProxy;
  let count = 0;
  const warmCache = (): string => join(root, 'cache-warm');

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'paas-builder-shapes-'));
    proxy = await startRegistryProxy(process.env['NPM_CONFIG_REGISTRY'] ?? process.env['npm_config_registry'] ?? 'https://registry.npmjs.org');
  });
  after(async () => {
    await proxy.close();
    await rm(root, { recursive: true, force: true });
  });

  async function build(
    sourceDir: string,
    cacheDir: string,
    configVars: Record<string, string> = {},
  ): Promise<{ result: BuildResult; output: string; ms: number }> {
    const output = captureText();
    count += 1;
    const started = Date.now();
    const result = await runBuild({
      sourceDir,
      cacheDir,
      configVars,
      output: output.stream,
      slugFile: join(root, `slug-${String(count)}.tgz`),
      workRoot: root,
      env: { NPM_CONFIG_REGISTRY: proxy.url },
    });
    return { result, output: output.text(), ms: Date.now() - started };
  }

  /** A new app cache holding the runtimes the warm-up downloaded (no node_modules). */
  async function seeded(name: string): Promise<string> {
    const cacheDir = join(root, `cache-${name}`);
    for (const part of ['registry', 'runtimes', 'unpacked', 'headers']) {
      await cp(join(warmCache(), 'nodejs', part), join(cacheDir, 'nodejs', part), { recursive: true }).catch(() => undefined);
    }
    return cacheDir;
  }

  async function copyFixture(name: string): Promise<string> {
    const dir = join(root, `src-${name}-${String(count)}`);
    await cp(join(FIXTURES, name), dir, { recursive: true });
    return dir;
  }

  /** Unpacks the slug and GETs / from its web process. */
  async function serve(built: Extract<BuildResult, { status: 'succeeded' }>, name: string, command = built.processTypes['web'] ?? 'false'): Promise<Record<string, unknown>> {
    const app = join(root, `run-${name}`);
    await unpackSlug(built.slug.file, app);
    // `npm start` and friends spawn `sh`: the stack's PATH, after the slug's own bin dirs.
    const web = await startSlugProcess(app, command, { DYNO: 'web.1', PATH: '/usr/bin:/bin' });
    try {
      const response = await web.get('/');
      assert.equal(response.status, 200, web.output());
      return (await response.json()) as Record<string, unknown>;
    } finally {
      await web.stop();
    }
  }

  describe('package managers and languages', { concurrency: 1 }, () => {
    it('npm: the npm line bundled with the node, a cache keyed on every install input', async (t) => {
      const app = await copyFixture('npm-workspaces');
      const cold = await build(app, warmCache());
      t.diagnostic(`cold npm-workspaces build: ${String(cold.ms)} ms`);
      const built = succeeded(cold.result);
      assert.match(cold.output, /^ {7}Downloaded npm 11\.\d+\.\d+$/m, 'node 26 ships npm 11, not the newest npm');
      assert.match(cold.output, /engines\.npm \(package\.json\): {3}unspecified \(the npm that ships with this node\)/);
      assert.deepEqual(built.processTypes, { web: 'npm start' });
      const answer = await serve(built, 'workspaces');
      assert.equal(answer['greeting'], 'hello from a workspace');
      assert.match(String(answer['node']), /^v26\./, 'the node from the slug, not the stack’s');

      const warm = await build(app, warmCache());
      t.diagnostic(`warm npm-workspaces build: ${String(warm.ms)} ms`);
      succeeded(warm.result);
      assert.match(warm.output, /Restoring node_modules from cache/);
      assert.match(warm.output, /Installing node modules over the restored tree \(npm install --no-save, package-lock\.json\)/);
      assert.match(warm.output, /up to date/, 'npm finds the restored tree complete');

      // A config var that changes installs is part of the key.
      const configured = await build(app, warmCache(), { NPM_CONFIG_OMIT: 'optional' });
      succeeded(configured.result);
      assert.doesNotMatch(configured.output, /Restoring node_modules/);
      assert.match(configured.output, /Installing node modules \(npm ci, package-lock\.json\)/);

      // A file deleted from the cached tree: the build installs from scratch and the slug has it again.
      await rm(join(warmCache(), 'nodejs', 'tree', 'node_modules', 'ms', 'index.js'));
      const tampered = await build(app, warmCache(), { NPM_CONFIG_OMIT: 'optional' });
      const repaired = succeeded(tampered.result);
      assert.match(tampered.output, /The cached tree does not hold the files it was saved with: installing from scratch/);
      assert.match(tampered.output, /Installing node modules \(npm ci, package-lock\.json\)/);
      assert.equal((await serve(repaired, 'workspaces-repaired'))['greeting'], 'hello from a workspace');
      assert.ok(await exists(join(root, 'run-workspaces-repaired', 'node_modules', 'ms', 'index.js')));

      // A workspace's package.json out of sync with the lockfile, over a warm cache (only
      // package.json changed): it fails with npm ci's own message, as it would without a cache.
      const manifest = join(app, 'packages', 'web', 'package.json');
      const web = JSON.parse(await readFile(manifest, 'utf8')) as { dependencies: Record<string, string> };
      web.dependencies['escape-html'] = '1.0.3';
      await writeFile(manifest, JSON.stringify(web));
      const stale = await build(app, warmCache(), { NPM_CONFIG_OMIT: 'optional' });
      assert.equal(failed(stale.result).failure.what, 'npm ci refused to install: package-lock.json is out of sync with package.json.');
      assert.doesNotMatch(stale.output, /Restoring node_modules/);
    });

    it('npm without a lockfile: npm install with a warning, web is npm start', async () => {
      const { result, output } = await build(join(FIXTURES, 'node-no-lockfile'), await seeded('no-lockfile'));
      const built = succeeded(result);
      assert.match(output, / ! {5}Warning: No package-lock\.json/);
      assert.deepEqual(built.processTypes, { web: 'npm start' });
      assert.equal((await serve(built, 'no-lockfile'))['app'], 'node-no-lockfile');
    });

    it('TypeScript: heroku-postbuild compiles, typescript is pruned', async () => {
      const { result, output } = await build(join(FIXTURES, 'ts-postbuild'), await seeded('ts'));
      const built = succeeded(result);
      assert.match(output, /^ {7}Running heroku-postbuild$/m);
      assert.equal((await serve(built, 'ts'))['greeting'], 'compiled from TypeScript');
      assert.equal(await exists(join(root, 'run-ts', 'node_modules', 'typescript')), false, 'devDependencies are pruned');
    });

    it('yarn classic: yarn 1 from the registry, --frozen-lockfile, dev pruned, web is yarn start', async () => {
      const cache = await seeded('yarn-classic');
      const { result, output } = await build(join(FIXTURES, 'yarn-classic'), cache);
      const built = succeeded(result);
      assert.match(output, /and yarn 1\.22\.\d+ \(from yarn\.lock\)/);
      assert.match(output, /yarn install --frozen-lockfile --production=false/);
      assert.deepEqual(built.processTypes, { web: 'yarn start' });
      const answer = await serve(built, 'yarn-classic');
      assert.equal(answer['app'], 'yarn-classic');
      assert.match(String(answer['node']), /^v26\./);
      assert.equal(await exists(join(root, 'run-yarn-classic', 'node_modules', 'is-number')), false);
      const paths = proxy.requests.map((request) => request.path);
      assert.ok(paths.includes('/yarn/-/yarn-1.22.22.tgz'), 'yarn itself from the registry');
      assert.ok(paths.includes('/is-number/-/is-number-7.0.0.tgz'), 'yarn.lock’s packages from the registry npm uses');
      assert.match(await readFile(join(root, 'run-yarn-classic', 'yarn.lock'), 'utf8'), /resolved "https:\/\/registry\.yarnpkg\.com\/ms\//, 'the app’s yarn.lock as pushed');

      // Warm: the install runs over the restored node_modules and finds nothing to do.
      const warm = await build(join(FIXTURES, 'yarn-classic'), cache);
      succeeded(warm.result);
      assert.match(warm.output, /Restoring node_modules from cache/);
      assert.match(warm.output, /Installing node modules over the restored tree \(yarn install --frozen-lockfile/);
      assert.match(warm.output, /Already up-to-date/);
      assert.match(warm.output, /Using cached yarn 1\.22\.\d+/, 'yarn itself from the cache, not fetched again');
    });

    it('yarn berry: the packageManager version, --immutable, web is yarn start', async () => {
      const cache = await seeded('yarn-berry');
      const { result, output } = await build(join(FIXTURES, 'yarn-berry'), cache);
      const built = succeeded(result);
      assert.match(output, /and yarn 4\.18\.1 \(from packageManager \(package\.json\)\)/);
      assert.match(output, /Installing node modules \(yarn install --immutable, linker: node-modules\)/);
      assert.equal((await serve(built, 'yarn-berry'))['app'], 'yarn-berry');

      const warm = await build(join(FIXTURES, 'yarn-berry'), cache);
      succeeded(warm.result);
      assert.match(warm.output, /Restoring node_modules, \.yarn\/install-state\.gz from cache/);
      assert.match(warm.output, /Installing node modules over the restored tree \(yarn install --immutable, linker: node-modules\)/);
    });

    it('yarn berry with Plug’n’Play: no node_modules, a plain `node` Procfile runs under .pnp.cjs, dev pruned, .yarn/cache kept', async () => {
      const cache = await seeded('yarn-pnp');
      const cold = await build(join(FIXTURES, 'yarn-pnp'), cache);
      const built = succeeded(cold.result);
      assert.match(cold.output, /Installing node modules \(yarn install --immutable, linker: pnp\)/);
      assert.deepEqual(built.processTypes, { web: 'node server.js' }, 'the Procfile');
      const answer = await serve(built, 'yarn-pnp');
      assert.deepEqual(
        { app: answer['app'], pnp: answer['pnp'], ttl: answer['ttl'], escaped: answer['escaped'], devPruned: answer['devPruned'] },
        { app: 'yarn-pnp', pnp: true, ttl: '1m', escaped: '&lt;pnp&gt;', devPruned: true },
      );
      const app = join(root, 'run-yarn-pnp');
      assert.equal(await exists(join(app, 'node_modules')), false, 'Plug’n’Play: no node_modules');
      assert.ok(await exists(join(app, '.yarn', 'cache')), 'the archives .pnp.cjs points at are in the slug');
      // What an app without a Procfile gets: `yarn start`, which runs under PnP by itself.
      const web = await startSlugProcess(app, 'yarn start', { DYNO: 'web.1', PATH: '/usr/bin:/bin' });
      try {
        const started = await web.get('/');
        assert.equal(started.status, 200, web.output());
        assert.equal(((await started.json()) as Record<string, unknown>)['pnp'], true);
      } finally {
        await web.stop();
      }

      // A warm build installs over the restored install state, from the kept archives.
      const downloads = (): number => proxy.requests.filter((request) => request.path === '/ms/-/ms-2.1.3.tgz').length;
      const before = downloads();
      const warm = await build(join(FIXTURES, 'yarn-pnp'), cache);
      succeeded(warm.result);
      assert.match(warm.output, /Restoring \.yarn\/unplugged, \.yarn\/install-state\.gz from cache/);
      assert.match(warm.output, /Installing node modules over the restored tree \(yarn install --immutable, linker: pnp\)/);
      assert.equal(downloads(), before, 'no package downloaded again');
    });

    it('pnpm: the packageManager version, --frozen-lockfile, dev pruned, web is pnpm start; a stale lockfile fails', async () => {
      const cache = await seeded('pnpm');
      const { result, output } = await build(join(FIXTURES, 'pnpm-web'), cache);
      const built = succeeded(result);
      assert.match(output, /and pnpm 10\.34\.8 \(from packageManager/);
      assert.deepEqual(built.processTypes, { web: 'pnpm start' });
      assert.equal((await serve(built, 'pnpm'))['app'], 'pnpm-web');
      assert.equal(await exists(join(root, 'run-pnpm', 'node_modules', 'is-number')), false);

      const warm = await build(join(FIXTURES, 'pnpm-web'), cache);
      assert.equal(succeeded(warm.result).processTypes['web'], 'pnpm start');
      assert.match(warm.output, /Restoring node_modules from cache/);
      assert.match(warm.output, /Installing node modules over the restored tree \(pnpm install --frozen-lockfile --prefer-offline\)/);
      assert.match(warm.output, /Already up to date/);
      assert.match(warm.output, /Using cached pnpm 10\.34\.8/, 'pnpm itself from the cache, not fetched again');

      const app = await copyFixture('pnpm-web');
      const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      manifest.dependencies['escape-html'] = '1.0.3';
      await writeFile(join(app, 'package.json'), JSON.stringify(manifest));
      const stale = await build(app, cache);
      assert.equal(failed(stale.result).failure.what, 'pnpm refused to install: pnpm-lock.yaml is out of sync with package.json.');
    });

    it('Python: the stack python3, a venv in the slug, a wheel from the repo; another version is refused by name', async () => {
      const { result, output } = await build(join(FIXTURES, 'python-web'), join(root, 'cache-python'));
      const built = succeeded(result);
      assert.deepEqual(built.buildpacks, [{ ref: 'python', name: 'Python' }]);
      assert.match(output, /Successfully installed greeting-1\.0\.0/);
      const answer = await serve(built, 'python');
      assert.equal(answer['greeting'], 'hello from a wheel');
      assert.equal(answer['prefix'], join(root, 'run-python', '.heroku', 'python'), 'the venv in the slug, at its run-time path');

      // The same push again starts from the venv kept in the cache; pip only checks it.
      const warm = await build(join(FIXTURES, 'python-web'), join(root, 'cache-python'));
      assert.match(warm.output, /Reusing the virtual environment of the last build/);
      assert.match(warm.output, /greeting is already installed with the same version/);
      const warmAnswer = await serve(succeeded(warm.result), 'python-warm');
      assert.equal(warmAnswer['greeting'], 'hello from a wheel');
      assert.equal(warmAnswer['prefix'], join(root, 'run-python-warm', '.heroku', 'python'));
      // Requirements that no longer name the wheel: a new venv, without it.
      const dropped = await copyFixture('python-web');
      await writeFile(join(dropped, 'requirements.txt'), '# nothing to install\n');
      const rebuilt = await build(dropped, join(root, 'cache-python'));
      assert.doesNotMatch(rebuilt.output, /Reusing the virtual environment/);
      const droppedSlug = join(root, 'run-python-dropped');
      await unpackSlug(succeeded(rebuilt.result).slug.file, droppedSlug);
      const lib = join(droppedSlug, '.heroku', 'python', 'lib');
      const [version] = await readdir(lib);
      assert.ok(version !== undefined && (await exists(join(lib, version, 'site-packages', 'pip'))), 'a venv with pip');
      assert.equal(await exists(join(lib, version, 'site-packages', 'greeting.py')), false, 'the dropped package is not in the slug');

      const app = await copyFixture('python-web');
      await writeFile(join(app, '.python-version'), '3.8\n');
      const other = await build(app, join(root, 'cache-python'));
      assert.match(failed(other.result).failure.what, /^Python 3\.8 was requested in \.python-version, but this stack has Python 3\.\d+\.\d+ only\.$/);
    });

    it('Go: the stack go, vendored modules, no download, web is bin/<module>', async () => {
      const { result } = await build(join(FIXTURES, 'go-web'), join(root, 'cache-go'));
      const built = succeeded(result);
      assert.deepEqual(built.buildpacks, [{ ref: 'go', name: 'Go' }]);
      assert.deepEqual(built.processTypes, { web: 'bin/go-web' });
      assert.equal((await serve(built, 'go'))['greeting'], 'hello from a vendored module');
      // A Procfile written for Heroku names the binary alone (`web: go-getting-started`): bin/ is on PATH.
      assert.equal((await serve(built, 'go-path', 'go-web'))['greeting'], 'hello from a vendored module');

      // A go line newer than the stack's go, written as Go 1.21+ writes it (three parts), as
      // heroku/go-getting-started has: what was asked, what the stack has, and what to do.
      const newer = await copyFixture('go-web');
      const goMod = await readFile(join(newer, 'go.mod'), 'utf8');
      await writeFile(join(newer, 'go.mod'), goMod.replace(/^go .*$/m, 'go 1.99.0'));
      const { failure } = failed((await build(newer, join(root, 'cache-go'))).result);
      assert.match(failure.what, /^go\.mod asks for go 1\.99\.0, but this stack has go1\.\d+(\.\d+)? only\.$/);
      assert.match(failure.fix, /Set the `go` line of go\.mod to 1\.\d+/);
    });

    it('refuses an app of a language without a buildpack, saying what was looked for', async () => {
      const { result, output } = await build(join(FIXTURES, 'unsupported'), join(root, 'cache-unsupported'));
      const { failure } = failed(result);
      assert.equal(failure.kind, 'no_buildpack_detected');
      assert.doesNotMatch(output, /Procfile app detected/);
      assert.match(output, /tried, in order: nodejs, python, go, static, procfile/);
      assert.match(output, /paas buildpacks:set/);
    });

    it('keeps the directories package.json lists in cacheDirectories from one build to the next (Heroku’s key)', async () => {
      // The build counts its runs in a directory it keeps, as Next.js keeps .next/cache.
      const count = "const fs=require('fs');fs.mkdirSync('.next/cache',{recursive:true});const f='.next/cache/runs';fs.writeFileSync(f,String(Number(fs.existsSync(f)?fs.readFileSync(f,'utf8'):0)+1))";
      const manifest = {
        name: 'cached', version: '1.0.0', engines: { node: '26.x' },
        scripts: { build: `node -e "${count}"`, start: 'node -e 0' },
        cacheDirectories: ['.next/cache/', 'node_modules', '../outside', '/etc', 'src/keep'],
      };
      const app = await writeFiles(join(root, 'src-cached'), { 'package.json': JSON.stringify(manifest), 'src/keep/from-source': 'source\n' });
      const cacheDir = await seeded('cached');
      const runs = async (): Promise<{ output: string; runs: string }> => {
        const { result, output } = await build(app, cacheDir);
        const slugDir = join(root, `run-cached-${String(Math.random()).slice(2)}`);
        await unpackSlug(succeeded(result).slug.file, slugDir);
        return { output, runs: await readFile(join(slugDir, '.next', 'cache', 'runs'), 'utf8') };
      };
      const first = await runs();
      assert.equal(first.runs, '1');
      assert.match(first.output, /^ {7}- \.next\/cache \(not cached yet\)$/m);
      assert.match(first.output, /^ {7}- node_modules \(kept by the dependency cache\)$/m);
      assert.match(first.output, /Warning: cacheDirectories: "\.\.\/outside" is not kept/);
      assert.match(first.output, /Warning: cacheDirectories: "\/etc" is not kept/);
      assert.match(first.output, /^ {7}- src\/keep \(in the app's source: left as it is\)$/m);
      assert.match(first.output, /^ {7}Caching \.next\/cache for the next build$/m);

      const second = await runs();
      assert.equal(second.runs, '2', 'the second build started from the first one’s .next/cache');
      assert.match(second.output, /^ {7}- \.next\/cache$/m);
      // What the source has is never replaced by a cached copy, and nothing is kept outside the app.
      assert.equal(await readFile(join(app, 'src', 'keep', 'from-source'), 'utf8'), 'source\n');
      assert.equal(await exists(join(cacheDir, 'nodejs', 'directories', 'outside')), false);
      assert.equal(await exists(join(cacheDir, 'nodejs', 'outside')), false);

      // NODE_MODULES_CACHE=false (Heroku's switch) builds without them.
      const { result, output } = await build(app, cacheDir, { NODE_MODULES_CACHE: 'false' });
      succeeded(result);
      assert.match(output, /NODE_MODULES_CACHE=false: not restoring them/);
    });

    it('removes what .slugignore names before the build runs, so neither the build nor the slug has it', async () => {
      const manifest = {
        name: 'ignoring', version: '1.0.0', engines: { node: '26.x' },
        // The build fails if it can see an ignored file.
        scripts: { build: `node -e "process.exit(require('fs').existsSync('design/logo.psd') || require('fs').existsSync('docs') ? 3 : 0)"`, start: 'node -e 0' },
      };
      const app = await writeFiles(join(root, 'src-ignoring'), {
        'package.json': JSON.stringify(manifest),
        '.slugignore': '# not for the slug\n*.psd\n/docs\n',
        'design/logo.psd': 'pixels',
        'docs/guide.md': 'words',
        'docs/more/notes.md': 'words',
        'lib/docs/kept.md': 'a docs dir below the root is not /docs',
      });
      const { result, output } = await build(app, await seeded('ignoring'));
      const slugDir = join(root, 'run-ignoring');
      await unpackSlug(succeeded(result).slug.file, slugDir);
      assert.match(output, /^-----> Deleting 3 files matching \.slugignore patterns$/m);
      assert.equal(await exists(join(slugDir, 'design', 'logo.psd')), false);
      assert.equal(await exists(join(slugDir, 'docs')), false);
      assert.equal(await exists(join(slugDir, 'lib', 'docs', 'kept.md')), true);
    });

    it('builds an app with no process types, saying that it runs nothing', async () => {
      const app = await writeFiles(join(root, 'src-nothing'), { 'package.json': '{"name":"nothing","version":"1.0.0","engines":{"node":"26.x"}}\n' });
      const { result, output } = await build(app, await seeded('nothing'));
      assert.deepEqual(succeeded(result).processTypes, {});
      assert.match(output, / ! {5}Warning: this app declares no process types, so the release runs nothing\./);
    });

  });

  describe('a native module (node 24, and node 22)', { concurrency: 1 }, () => {
    it('npm 12 asked for by engines.npm: blocked install scripts fail the build with what, why and fix', async () => {
      const app = await copyFixture('node-native');
      const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { engines: Record<string, string> };
      manifest.engines['npm'] = '12.x';
      await writeFile(join(app, 'package.json'), JSON.stringify(manifest));
      const { result, output } = await build(app, join(root, 'cache-native'));
      const { failure } = failed(result);
      assert.match(failure.what, /^npm 12\.\d+\.\d+ would skip the install scripts of dependencies/);
      assert.match(failure.fix, /npm install-scripts approve/);
      assert.match(output, /better-sqlite3@12\.9\.0/);
    });

    it('node 22 without engines.npm: the npm that node ships with, and the native module’s install script runs', async (t) => {
      const app = await copyFixture('node-native');
      const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { engines: Record<string, string> };
      manifest.engines['node'] = '22.14.0';
      await writeFile(join(app, 'package.json'), JSON.stringify(manifest));
      const { result, output, ms } = await build(app, join(root, 'cache-native-22'));
      t.diagnostic(`node 22 node-native build (node-gyp compile): ${String(ms)} ms`);
      const built = succeeded(result);
      assert.match(output, /npm 10\.9\.2 is the one node 22\.14\.0 ships with/);
      assert.match(output, /Using node v22\.14\.0 and npm 10\.9\.2/);
      const answer = await serve(built, 'native-22');
      assert.equal(answer['node'], 'v22.14.0');
      assert.match(String(answer['sqlite']), /^3\.\d+\.\d+$/, 'better-sqlite3 was compiled by its install script and loads');
    });

    it('a native module (better-sqlite3) compiles with node-gyp and loads at run time', async (t) => {
      const { result, output, ms } = await build(join(FIXTURES, 'node-native'), join(root, 'cache-native'));
      t.diagnostic(`node-native build (node-gyp compile): ${String(ms)} ms`);
      const built = succeeded(result);
      assert.match(output, /^ {7}Downloaded npm 11\.\d+\.\d+$/m, 'node 24 ships npm 11');
      assert.deepEqual(built.processTypes, { web: 'npm start' });
      const answer = await serve(built, 'native');
      assert.match(String(answer['sqlite']), /^3\.\d+\.\d+$/);
      assert.equal(answer['visits'], 1);
    });
  });
});
