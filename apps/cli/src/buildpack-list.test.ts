import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { BuildpackInstallationResource } from '@paas/core';
import { InvalidArgumentError } from 'commander';

import {
  buildpackUrls,
  checkBuildpackArgument,
  formatBuildpackLines,
  parseBuildpackIndex,
  planAddBuildpack,
  planRemoveBuildpack,
  planSetBuildpack,
  removeTargetOf,
} from './buildpack-list.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

const installed = (...urls: string[]): BuildpackInstallationResource[] =>
  urls.map((url, ordinal) => ({ ordinal, buildpack: { url, name: url } }));

describe('parseBuildpackIndex', () => {
  it('takes a 1-based whole number', () => {
    assert.equal(parseBuildpackIndex('1'), 1);
    assert.equal(parseBuildpackIndex('12'), 12);
  });

  it('refuses zero, negatives, fractions and words', () => {
    for (const value of ['0', '-1', '1.5', 'two', '', '1e3', '99999999999999999999']) {
      assert.throws(() => parseBuildpackIndex(value), InvalidArgumentError, value);
    }
  });
});

describe('buildpack list edits', () => {
  it('reads the list in ordinal order, whatever order it came in', () => {
    const list: BuildpackInstallationResource[] = [
      { ordinal: 1, buildpack: { url: 'b', name: 'b' } },
      { ordinal: 0, buildpack: { url: 'a', name: 'a' } },
    ];
    assert.deepEqual(buildpackUrls(list), ['a', 'b']);
    assert.deepEqual(formatBuildpackLines(list), ['1. a', '2. b']);
  });

  it('set replaces the whole list, or with -i only the one at that position', () => {
    assert.deepEqual(planSetBuildpack(['a', 'b'], 'c'), ['c']);
    assert.deepEqual(planSetBuildpack(['a', 'b'], 'c', 2), ['a', 'c']);
    assert.throws(() => planSetBuildpack(['a', 'b'], 'c', 3), /no buildpack at position 3: the app has 2 buildpacks/);
    assert.throws(() => planSetBuildpack([], 'c', 1), /no buildpack at position 1: the app has none\. Add one with paas buildpacks:add/);
    assert.throws(() => planSetBuildpack(['a', 'b'], 'a', 2), /The buildpack a is already set at position 1: nothing changed/);
  });

  it('add appends, or inserts at -i up to one past the end', () => {
    assert.deepEqual(planAddBuildpack([], 'a'), ['a']);
    assert.deepEqual(planAddBuildpack(['a', 'b'], 'c'), ['a', 'b', 'c']);
    assert.deepEqual(planAddBuildpack(['a', 'b'], 'c', 1), ['c', 'a', 'b']);
    assert.deepEqual(planAddBuildpack(['a', 'b'], 'c', 3), ['a', 'b', 'c']);
    assert.throws(() => planAddBuildpack(['a', 'b'], 'c', 4), /give -i from 1 to 3/);
    assert.throws(() => planAddBuildpack(['a', 'b'], 'b'), /already set at position 2/);
  });

  it('remove takes the buildpack or its position, not both and not neither', () => {
    assert.deepEqual(removeTargetOf(' nodejs ', undefined), { buildpack: 'nodejs' });
    assert.deepEqual(removeTargetOf(undefined, 2), { index: 2 });
    for (const [buildpack, index] of [['nodejs', 1], [undefined, undefined]] as const) {
      assert.throws(
        () => removeTargetOf(buildpack, index),
        (error: unknown) => error instanceof CliError && error.exitCode === EXIT_USAGE,
      );
    }
  });

  it('remove drops the named or numbered buildpack and says which', () => {
    assert.deepEqual(planRemoveBuildpack(['a', 'b', 'c'], { buildpack: 'b' }), { removed: 'b', buildpacks: ['a', 'c'] });
    assert.deepEqual(planRemoveBuildpack(['a', 'b', 'c'], { index: 1 }), { removed: 'a', buildpacks: ['b', 'c'] });
    assert.throws(() => planRemoveBuildpack(['a'], { buildpack: 'x' }), /The buildpack x is not set on the app/);
    assert.throws(() => planRemoveBuildpack(['a'], { index: 2 }), /no buildpack at position 2: the app has 1 buildpack /);
    assert.throws(() => planRemoveBuildpack([], { index: 1 }), /no buildpacks set: there is nothing to remove/);
  });

  it('refuses an empty buildpack before asking paasd', () => {
    assert.equal(checkBuildpackArgument('  /opt/pack '), '/opt/pack');
    assert.throws(() => checkBuildpackArgument('  '), (error: unknown) => error instanceof CliError && error.exitCode === EXIT_USAGE);
  });

  it('keeps a list built from installations intact for the PUT', () => {
    assert.deepEqual(planAddBuildpack(buildpackUrls(installed('nodejs', '/opt/pack')), 'https://github.com/x/y.git'), [
      'nodejs',
      '/opt/pack',
      'https://github.com/x/y.git',
    ]);
  });
});
