import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const ESLINT = join(REPO_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
/** Two errors under the recommended rules (no-unused-vars, no-undef), as npm's own files have. */
const BAD_JS = 'var unused = 1;\nundefinedThing();\n';

function writeBad(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bad.js'), BAD_JS);
}

test('lint never reads a paas data dir: the default one, PAAS_DATA_DIR inside the repo, or any holding a paas database', { timeout: 60_000 }, (t) => {
  const tag = `lint-scope-${randomBytes(4).toString('hex')}`;
  const defaultDir = join(REPO_ROOT, '.paas-data');
  // A real .paas-data (from `npm start`) stays; only what this test adds goes.
  const made = existsSync(defaultDir) ? join(defaultDir, tag) : defaultDir;
  const custom = join(REPO_ROOT, `${tag}-custom`);
  const marked = join(REPO_ROOT, `${tag}-marked`);
  const control = join(REPO_ROOT, `${tag}-control`);
  t.after(() => {
    for (const dir of [made, custom, marked, control]) rmSync(dir, { recursive: true, force: true });
  });
  writeBad(join(defaultDir, tag, 'cache', 'node', 'lib', 'node_modules', 'npm', 'bin'));
  writeBad(join(custom, 'data', 'cache'));
  writeBad(marked);
  writeFileSync(join(marked, 'paas.db'), '');
  writeBad(control);

  // The files are named as `eslint .` would reach them; the global ignores decide, as they do there.
  const targets = [join(defaultDir, tag), custom, marked, control].map((dir) => relative(REPO_ROOT, dir));
  const result = spawnSync(process.execPath, [ESLINT, '--format', 'json', '--no-error-on-unmatched-pattern', ...targets], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', PAAS_DATA_DIR: `${tag}-custom/data` },
    encoding: 'utf8',
  });
  assert.ok(result.stdout.startsWith('['), `eslint did not answer with JSON:\n${result.stdout}${result.stderr}`);
  const linted = (JSON.parse(result.stdout) as { filePath: string; errorCount: number }[]).map((r) => [relative(REPO_ROOT, r.filePath), r.errorCount]);
  // The control file shows the check would see a data dir's files were they linted.
  assert.deepEqual(linted, [[join(`${tag}-control`, 'bad.js'), 2]]);
});
