import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliError } from './cli-error.js';
import { checkProcessSelector } from './process-selector.js';

describe('checkProcessSelector', () => {
  it('takes a process type or one process', () => {
    for (const arg of ['web', 'web.1', 'run.4821', 'my_worker-2', 'worker.12']) assert.equal(checkProcessSelector(arg), arg);
  });

  it('refuses anything else as a usage error', () => {
    for (const arg of ['', 'web.', 'web.0', 'web.x', 'web.1.2', '../x', 'a b', '1', '.1']) {
      assert.throws(() => checkProcessSelector(arg), (error: unknown) => error instanceof CliError && error.exitCode === 2, arg);
    }
  });
});
