import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliError, EXIT_USAGE } from './cli-error.js';
import { parseConfigAssignments, parseConfigKeys } from './config-assignment.js';

const usage = (error: unknown): boolean => error instanceof CliError && error.exitCode === EXIT_USAGE;

describe('parseConfigAssignments', () => {
  it('splits on the first = only', () => {
    assert.deepEqual(parseConfigAssignments(['A=1', 'URL=postgres://h/db?a=b&c=d', 'EMPTY=', 'EQ==']), {
      A: '1',
      URL: 'postgres://h/db?a=b&c=d',
      EMPTY: '',
      EQ: '=',
    });
  });

  it('keeps values byte for byte: spaces, newlines, shell characters, unicode', () => {
    const pem = '-----BEGIN KEY-----\nabc\n-----END KEY-----\n';
    assert.deepEqual(parseConfigAssignments([`PEM=${pem}`, 'X=$123*&456$', 'U= héllo ✓ 日本 ']), {
      PEM: pem,
      X: '$123*&456$',
      U: ' héllo ✓ 日本 ',
    });
  });

  it('lets the last of a repeated key win', () => {
    assert.deepEqual(parseConfigAssignments(['A=1', 'A=2']), { A: '2' });
  });

  it('refuses arguments without = and bad keys as usage errors', () => {
    assert.throws(() => parseConfigAssignments(['A']), usage);
    assert.throws(() => parseConfigAssignments(['=1']), usage);
    assert.throws(() => parseConfigAssignments(['1A=1']), usage);
    assert.throws(() => parseConfigAssignments(['A-B=1']), usage);
    assert.throws(() => parseConfigAssignments([]), usage);
  });
});

describe('parseConfigKeys', () => {
  it('takes valid keys once each', () => {
    assert.deepEqual(parseConfigKeys(['A', 'B', 'A']), ['A', 'B']);
  });

  it('refuses KEY=VALUE and empty input', () => {
    assert.throws(() => parseConfigKeys(['A=1']), usage);
    assert.throws(() => parseConfigKeys([]), usage);
  });
});
