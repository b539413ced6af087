import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PaasError } from './errors.js';
import { checkProcessType, formatProcfile, parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  const accepted: Array<[string, string, Record<string, string>]> = [
    ['one web line', 'web: npm start\n', { web: 'npm start' }],
    ['no trailing newline', 'web: node server.js', { web: 'node server.js' }],
    ['CRLF line ends and a BOM', '\uFEFFweb: a\r\nworker: b\r\n', { web: 'a', worker: 'b' }],
    ['comments and blank lines', '# types\n\nweb: a\n   # indented comment\n\nworker: b\n', { web: 'a', worker: 'b' }],
    ['no space after the colon', 'web:bundle exec puma', { web: 'bundle exec puma' }],
    ['colons inside the command', 'web: node -e "console.log(1 ? 2 : 3)"', { web: 'node -e "console.log(1 ? 2 : 3)"' }],
    ['dashes, underscores and digits', 'worker-2: a\nclock_1: b', { 'worker-2': 'a', clock_1: 'b' }],
    ['surrounding whitespace trimmed', '  web:   npm start   ', { web: 'npm start' }],
    ['an empty file', '', {}],
    ['only comments', '# nothing here\n', {}],
  ];
  for (const [name, text, expected] of accepted) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(parseProcfile(text), expected);
    });
  }

  it('keeps the declared order', () => {
    assert.deepEqual(Object.keys(parseProcfile('worker: a\nweb: b\nrelease: c\nclock: d')), ['worker', 'web', 'release', 'clock']);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['an empty command', 'web: npm start\nworker:   \n', /^Procfile line 2: process type worker has no command\. Add the command after the colon/],
    ['a duplicate type', 'web: a\n\nweb: b\n', /^Procfile line 3: process type web is already declared on line 1\. Keep one/],
    ['a name with a space', 'my web: a', /^Procfile line 1: "my web" is not a valid process type .*Rename it/],
    ['a name with a dot', 'web.1: a', /^Procfile line 1: "web\.1" is not a valid process type/],
    ['an all-digit name', '# c\n1: a', /^Procfile line 2: "1" is not a valid process type/],
    ['an empty name', ': npm start', /^Procfile line 1: "" is not a valid process type/],
    ['a line without a colon', 'web npm start', /^Procfile line 1: "web npm start" is not a process declaration\. Write it as `type: command`/],
    ['a name that is too long', `${'w'.repeat(64)}: a`, /is not a valid process type/],
    ['a name starting with a dash', '-web: a', /^Procfile line 1: "-web" is not a valid process type/],
    ['an uppercase name', 'Web: a', /^Procfile line 1: "Web" is not a valid process type/],
    ['a 51st process type', Array.from({ length: 10_000 }, (_, i) => `p${String(i)}: a`).join('\n'), /^Procfile line 51: the Procfile declares more than 50 process types\. Keep at most 50/],
  ];
  for (const [name, text, message] of refused) {
    it(`refuses ${name}, naming the line and the fix`, () => {
      assert.throws(
        () => parseProcfile(text),
        (error: unknown) => error instanceof PaasError && error.id === 'invalid_params' && message.test(error.message),
      );
    });
  }
});

describe('checkProcessType', () => {
  it('accepts lowercase DNS-label-sized names and refuses the rest', () => {
    assert.equal(checkProcessType('web'), undefined);
    assert.equal(checkProcessType('worker_2-x'), undefined);
    assert.equal(checkProcessType('2nd-worker'), undefined);
    assert.equal(checkProcessType('w'.repeat(63)), undefined);
    assert.notEqual(checkProcessType('-web'), undefined);
    assert.notEqual(checkProcessType('_web'), undefined);
    assert.notEqual(checkProcessType('Worker'), undefined);
    assert.notEqual(checkProcessType('42'), undefined);
    assert.notEqual(checkProcessType('we b'), undefined);
  });
});

describe('formatProcfile', () => {
  it('round-trips through parseProcfile', () => {
    const types = { web: 'node server.js', worker: 'node worker.js --queue a:b' };
    assert.deepEqual(parseProcfile(formatProcfile(types)), types);
  });
});
