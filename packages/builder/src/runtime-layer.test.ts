import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { RuntimeLayerError, digestRuntimeLayer, mergeRuntimeLayers, parseRuntimeLayer, readRuntimeLayer, runtimeLayerHash, surveyRuntimeLayer } from './runtime-layer.js';
import { packSlug } from './slug.js';
import { createRuntimeLayerStore, runtimeLayersFor } from './runtime-layer-store.js';

describe('parseRuntimeLayer', () => {
  const cases: { text: string; expected: { key: string; paths: string[] } | RegExp }[] = [
    { text: 'path .heroku/node\nkey node-22.11.0+npm-10.9.0\n', expected: { key: 'node-22.11.0+npm-10.9.0', paths: ['.heroku/node'] } },
    { text: '# comment\n\npath .heroku/yarn\npath .heroku/node\npath .heroku/node\nkey k\n', expected: { key: 'k', paths: ['.heroku/node', '.heroku/yarn'] } },
    { text: 'path .heroku/node\n', expected: /No key line/ },
    { text: 'key k\n', expected: /No path line/ },
    { text: 'key k\nkey j\npath a\n', expected: /twice/ },
    { text: 'key k\npath ../etc\n', expected: /not a plain relative directory/ },
    { text: 'key k\npath /usr\n', expected: /not a plain relative directory/ },
    { text: 'key k\npath a/./b\n', expected: /not a plain relative directory/ },
    { text: 'key k\npath a\npath a/b\n', expected: /lies inside another path/ },
    { text: 'key k\npath a b\n', expected: /more than one value/ },
    { text: 'key $(reboot)\npath a\n', expected: /is not letters/ },
    { text: 'key k\nlink a\n', expected: /Unknown field/ },
  ];
  for (const { text, expected } of cases) {
    it(`${JSON.stringify(text)} → ${expected instanceof RegExp ? `refused (${expected.source})` : JSON.stringify(expected)}`, () => {
      if (expected instanceof RegExp) assert.throws(() => parseRuntimeLayer(text), (error: unknown) => error instanceof RuntimeLayerError && expected.test(error.message));
      else assert.deepEqual(parseRuntimeLayer(text), expected);
    });
  }
});

describe('mergeRuntimeLayers', () => {
  it('joins the keys in pack order and the paths sorted; nothing from no pack', () => {
    assert.equal(mergeRuntimeLayers([]), undefined);
    assert.deepEqual(
      mergeRuntimeLayers([
        { key: 'node-1', paths: ['.heroku/node'] },
        { key: 'pnpm-9', paths: ['.heroku/pnpm'] },
      ]),
      { key: 'node-1+pnpm-9', paths: ['.heroku/node', '.heroku/pnpm'] },
    );
  });
});

describe('readRuntimeLayer and digestRuntimeLayer', () => {
  const temp = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'paas-runtime-layer-'));
    after(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it('refuses a path that is reached through a link or is not there', async () => {
    const root = await temp();
    const pack = join(root, 'pack');
    const app = join(root, 'app');
    await mkdir(join(app, 'real', 'node'), { recursive: true });
    await mkdir(pack);
    await symlink('real', join(app, '.heroku'));
    await writeFile(join(pack, 'runtime-layer'), 'key k\npath .heroku/node\n');
    await assert.rejects(readRuntimeLayer([pack], app), /"\.heroku" is not a directory/);
    await writeFile(join(pack, 'runtime-layer'), 'key k\npath missing\n');
    await assert.rejects(readRuntimeLayer([pack], app), /"missing" is not a directory/);
    assert.equal(await readRuntimeLayer([join(root, 'no-file-here')], app), undefined);
  });

  it('gives the same digest for the same runtime wherever it is, another for other bytes, key or stack', async () => {
    const root = await temp();
    const make = async (name: string, content: string): Promise<string> => {
      const app = join(root, name);
      await mkdir(join(app, '.heroku', 'node', 'bin'), { recursive: true });
      await writeFile(join(app, '.heroku', 'node', 'bin', 'node'), content, { mode: 0o755 });
      await writeFile(join(app, 'server.js'), `// ${name}\n`);
      return app;
    };
    const layer = { key: 'node-1', paths: ['.heroku/node'] };
    const one = await digestRuntimeLayer(await make('one', 'node'), layer, 'stack-a');
    assert.match(one, /^[0-9a-f]{64}$/);
    assert.equal(await digestRuntimeLayer(await make('two', 'node'), layer, 'stack-a'), one, 'the app outside the layer does not count');
    const other = await make('three', 'node, changed by a build script');
    assert.notEqual(await digestRuntimeLayer(other, layer, 'stack-a'), one);
    assert.notEqual(await digestRuntimeLayer(join(root, 'one'), { ...layer, key: 'node-2' }, 'stack-a'), one);
    assert.notEqual(await digestRuntimeLayer(join(root, 'one'), layer, 'stack-b'), one);

    // The pack that stores a layer digests the bytes it packs: the same digest for the same runtime.
    const packed = runtimeLayerHash(layer, 'stack-a');
    await packSlug(join(root, 'one'), join(root, 'layer.tgz'), { only: layer.paths, tarHash: packed });
    assert.equal(packed.digest('hex'), one);
  });
});

describe('surveyRuntimeLayer and the per-app shortcut', () => {
  it('sees a copy that keeps mtimes as the same runtime, and any write as another', async () => {
    const root = await mkdtemp(join(tmpdir(), 'paas-runtime-survey-'));
    after(() => rm(root, { recursive: true, force: true }));
    const app = join(root, 'one');
    await mkdir(join(app, '.heroku', 'node', 'bin'), { recursive: true });
    await writeFile(join(app, '.heroku', 'node', 'bin', 'node'), 'node', { mode: 0o755 });
    const layer = { key: 'node-1', paths: ['.heroku/node'] };
    const first = await surveyRuntimeLayer(app, layer, 'stack');
    const copy = join(root, 'two');
    // As the buildpack copies the runtime from its cache (fs.cp rounds the times).
    assert.equal(spawnSync('cp', ['-a', '--', app, copy]).status, 0);
    await symlink('node', join(copy, '.heroku', 'node', 'bin', 'nodejs'));
    const withLink = await surveyRuntimeLayer(copy, layer, 'stack');
    assert.notEqual(withLink, first, 'a new link is a change');
    await rm(join(copy, '.heroku', 'node', 'bin', 'nodejs'));
    assert.equal(await surveyRuntimeLayer(copy, layer, 'stack'), first, 'a copy with the same times is the same');
    await writeFile(join(copy, '.heroku', 'node', 'bin', 'node'), 'evil');
    assert.notEqual(await surveyRuntimeLayer(copy, layer, 'stack'), first, 'a write of the same size changes the mtime');
    await utimes(join(copy, '.heroku', 'node', 'bin', 'node'), new Date(0), new Date(0));
    assert.notEqual(await surveyRuntimeLayer(copy, layer, 'stack'), first);
  });

  it('recalls a layer only for the app that remembered it, and only while it is stored', async () => {
    const root = await mkdtemp(join(tmpdir(), 'paas-runtime-store-'));
    after(() => rm(root, { recursive: true, force: true }));
    const store = createRuntimeLayerStore({ root: join(root, 'layers') });
    const file = join(root, 'layer.tgz');
    await writeFile(file, 'not really a tgz');
    const digest = 'd'.repeat(64);
    const id = await store.record(file, digest);
    assert.equal(await store.find(digest), id);
    const mine = runtimeLayersFor(store, 'app-one');
    await mine.remember?.('s'.repeat(64), id);
    assert.equal(await mine.recall?.('s'.repeat(64)), id);
    assert.equal(await mine.recall?.('t'.repeat(64)), undefined, 'another survey');
    assert.equal(await runtimeLayersFor(store, 'app-two').recall?.('s'.repeat(64)), undefined, 'another app');
    await store.remove(id);
    assert.equal(await mine.recall?.('s'.repeat(64)), undefined, 'no longer stored');
    assert.equal(await store.find(digest), undefined);
  });
});
