import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const REPORTER = join(import.meta.dirname, '..', '..', '..', '..', 'scripts', 'skipped-reporter.js');

const SUITE = `
import { describe, it, test } from 'node:test';
describe('docker things', { skip: 'no Docker engine reachable' }, () => { it('one', () => {}); });
describe('a contract', () => {
  it('a', (t) => t.skip('no chromium'));
  it('b', (t) => t.skip('no chromium'));
  it('c', () => {});
});
test('syslog', (t) => t.skip('no rsyslogd'));
test('breaks', () => { throw new Error('broken'); });
`;

test('the test run ends with one line per skipped suite and its reason, after the runner summary and with its exit code', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-reporter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'x.test.mjs'), SUITE);
  const skippedFile = join(dir, 'skipped.txt');
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${REPORTER}`, `--test-reporter-destination=${skippedFile}`, 'x.test.mjs'],
    { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  assert.equal(result.status, 1, 'a failing test still fails the run');
  assert.match(result.stdout, /^ℹ pass 1$/m);
  assert.match(result.stdout, /^ℹ fail 1$/m);
  assert.deepEqual(readFileSync(skippedFile, 'utf8').split('\n'), [
    'skipped: docker things (x.test.mjs) — no Docker engine reachable',
    'skipped: a contract (x.test.mjs, 2 tests) — no chromium',
    'skipped: syslog (x.test.mjs) — no rsyslogd',
    '',
  ]);
});
