import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { tempDir } from './temp-dir.js';

/** The Node.js buildpack's resolver (plain CommonJS, run by the buildpack with any node). */
const REGISTRY_TOOL = fileURLToPath(new URL('../../../../buildpacks/nodejs/lib/registry.cjs', import.meta.url));

interface Semver {
  parseRange(text: string): unknown;
  parseVersion(text: string): unknown;
  satisfies(version: unknown, range: unknown): boolean;
}
const BUNDLED_TABLE = fileURLToPath(new URL('../../../../buildpacks/nodejs/lib/bundled-npm.json', import.meta.url));
const semver = createRequire(import.meta.url)(REGISTRY_TOOL) as Semver;
const run = promisify(execFile);

const VERSIONS = ['18.20.8', '20.0.0', '20.19.5', '21.7.3', '22.1.0', '22.23.3', '24.11.1', '25.9.0', '26.9.0', '26.10.0', '27.0.0-rc.1'];

function highest(range: string): string | undefined {
  const parsed = semver.parseRange(range);
  return VERSIONS.filter((version) => semver.satisfies(semver.parseVersion(version), parsed)).sort((a, b) => {
    const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number)) as [number[], number[]];
    return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0);
  }).at(-1);
}

describe('the Node.js buildpack resolves engines ranges like node-semver', () => {
  const table: Array<[string, string | undefined]> = [
    ['20.x', '20.19.5'],
    ['20', '20.19.5'],
    ['^20.1', '20.19.5'],
    ['~20.0', '20.0.0'],
    ['>=22 <24', '22.23.3'],
    ['>= 26', '26.10.0'],
    ['18 || 24', '24.11.1'],
    ['20.0.0 - 22.1', '22.1.0'],
    ['>25', '26.10.0'],
    ['<=20.0', '20.0.0'],
    ['<20', '18.20.8'],
    ['=21.7.3', '21.7.3'],
    ['v24.11.1', '24.11.1'],
    ['*', '26.10.0'],
    ['^99', undefined],
    ['26.10.1', undefined],
  ];
  for (const [range, expected] of table) {
    it(`${JSON.stringify(range)} → ${expected ?? 'nothing'} (prereleases never match)`, () => {
      assert.equal(highest(range), expected);
    });
  }

  it('refuses what is not a range', () => {
    assert.throws(() => semver.parseRange('latest'), /invalid version/);
    assert.throws(() => semver.parseRange('>=banana'), /invalid version/);
  });
});

describe('registry.cjs resolve-node and resolve-npm', () => {
  async function metadata(versions: Record<string, object>): Promise<string> {
    const file = join(await tempDir(), 'metadata.json');
    const entries: Array<[string, object]> = Object.entries(versions).map(([version, extra]) => [
      version,
      { version, dist: { integrity: `sha512-${version}` }, ...extra },
    ]);
    await writeFile(file, JSON.stringify({ versions: Object.fromEntries(entries) }));
    return file;
  }

  it('defaults to the highest even major, and lists the nearest versions when nothing matches', async () => {
    const file = await metadata(Object.fromEntries(VERSIONS.map((version) => [version, {}])));
    assert.equal((await run(process.execPath, [REGISTRY_TOOL, 'resolve-node', file, ''])).stdout, '26.10.0 sha512-26.10.0\n');
    assert.equal((await run(process.execPath, [REGISTRY_TOOL, 'resolve-node', file, '22.x'])).stdout, '22.23.3 sha512-22.23.3\n');
    await assert.rejects(run(process.execPath, [REGISTRY_TOOL, 'resolve-node', file, '^99']), (error: { code?: number; stdout?: string }) => {
      assert.equal(error.code, 3);
      assert.equal(error.stdout, '26.10.0, 25.9.0, 24.11.1, 22.23.3\n');
      return true;
    });
    await assert.rejects(run(process.execPath, [REGISTRY_TOOL, 'resolve-node', file, 'banana']), { code: 2 });
  });

  it('picks the npm the node release ships with (its table), else the newest of that line; never npm 12 unless asked', async () => {
    const file = await metadata({
      '9.8.0': { engines: { node: '^14.17.0 || ^16.13.0 || >=18.0.0' } },
      '10.9.2': { engines: { node: '^18.17.0 || >=20.5.0' } },
      '10.9.4': { engines: { node: '^18.17.0 || >=20.5.0' } },
      '11.4.2': { engines: { node: '^20.17.0 || >=22.9.0' } },
      '11.6.2': { engines: { node: '^20.17.0 || >=22.9.0' } },
      '12.2.0': { engines: { node: '^22.22.2 || ^24.15.0 || >=26.0.0' } },
      '13.0.0-pre.0': { engines: { node: '>=26' } },
    });
    const npmFor = async (node: string, range = ''): Promise<string> =>
      (await run(process.execPath, [REGISTRY_TOOL, 'resolve-npm', file, range, node])).stdout.trim().split(' ').filter((_, i) => i !== 1).join(' ');
    assert.equal(await npmFor('22.14.0'), '10.9.2 bundled', 'node 22.14 ships npm 10.9.2, though 10.9.4 and npm 12 exist');
    assert.equal(await npmFor('20.5.1'), '9.8.0 bundled', 'node 20.5 ships npm 9');
    assert.equal(await npmFor('24.4.1'), '11.4.2 bundled');
    assert.equal(await npmFor('22.23.3'), '10.9.4 line', 'a release past the table: the newest of its line, not npm 12');
    assert.equal(await npmFor('26.10.0'), '11.6.2 line', 'node 26 ships npm 11');
    assert.equal(await npmFor('27.0.0'), '11.6.2 line', 'a line newer than the table: its last line');
    assert.equal(await npmFor('26.10.0', '12.x'), '12.2.0 engines', 'engines.npm still wins');
    assert.equal(await npmFor('22.14.0', '^10'), '10.9.4 engines');
  });

  it('the table of bundled npm versions names real versions, for listed node major.minor (or major.minor.patch) releases', () => {
    const table = JSON.parse(readFileSync(BUNDLED_TABLE, 'utf8')) as { npm: Record<string, string> };
    const lookup = createRequire(import.meta.url)(REGISTRY_TOOL) as { bundledNpmVersion(node: unknown): string | undefined };
    for (const [node, npm] of Object.entries(table.npm)) {
      assert.match(node, /^\d+\.\d+(\.\d+)?$/, node);
      assert.match(npm, /^\d+\.\d+\.\d+$/, `${node} → ${npm}`);
    }
    assert.equal(lookup.bundledNpmVersion(semver.parseVersion('22.14.9')), '10.9.2');
    assert.equal(lookup.bundledNpmVersion(semver.parseVersion('18.19.1')), '10.2.3');
    assert.equal(lookup.bundledNpmVersion(semver.parseVersion('22.99.0')), undefined);
  });
});
