import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliError, EXIT_USAGE } from './cli-error.js';
import { parseScaleArgument, parseScaleArguments } from './scale-argument.js';

const usage = (error: unknown): boolean => error instanceof CliError && error.exitCode === EXIT_USAGE;

describe('parseScaleArgument', () => {
  const cases: [string, ReturnType<typeof parseScaleArgument>][] = [
    ['web=2', { type: 'web', quantity: 2 }],
    ['web=0', { type: 'web', quantity: 0 }],
    ['web=+1', { type: 'web', quantity: '+1' }],
    ['worker=-2', { type: 'worker', quantity: '-2' }],
    ['web+1', { type: 'web', quantity: '+1' }],
    ['web-1', { type: 'web', quantity: '-1' }],
    ['web=2:standard-2x', { type: 'web', quantity: 2, size: 'standard-2x' }],
    ['web=+1:eco', { type: 'web', quantity: '+1', size: 'eco' }],
    ['web=standard-2x', { type: 'web', size: 'standard-2x' }],
    ['web=:eco', { type: 'web', size: 'eco' }],
    ['my-worker=3', { type: 'my-worker', quantity: 3 }],
    ['my-worker-1', { type: 'my-worker', quantity: '-1' }],
    ['clock_2=1', { type: 'clock_2', quantity: 1 }],
  ];
  for (const [arg, expected] of cases) {
    it(`${arg}`, () => assert.deepEqual(parseScaleArgument(arg), expected));
  }

  it('refuses what is not a scale request', () => {
    for (const arg of ['web', 'web=', '=2', 'web=two words', 'web=1.5', 'web=2:', 'we b=1', 'web=2:Big Size']) {
      assert.throws(() => parseScaleArgument(arg), usage, arg);
    }
  });
});

describe('parseScaleArguments', () => {
  it('takes several types', () => {
    assert.deepEqual(parseScaleArguments(['web=2', 'worker+1']), [
      { type: 'web', quantity: 2 },
      { type: 'worker', quantity: '+1' },
    ]);
  });

  it('refuses a type named twice, and nothing at all', () => {
    assert.throws(() => parseScaleArguments(['web=1', 'web=+1']), usage);
    assert.throws(() => parseScaleArguments([]), usage);
  });
});
