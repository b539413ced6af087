// Runs every compiled test file (`*.test.js` under apps/*/dist and packages/*/dist, then
// the browser suite under e2e/dist) with node's test runner. Node 20's `--test` takes no
// globs, so we list the files. After the runner's own summary come the skipped suites, one
// line each with its reason (see skipped-reporter.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);

function walk(dir, found) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, found);
    else if (entry.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const files = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dist = join(root, group, name, 'dist');
    try {
      if (statSync(dist).isDirectory()) walk(dist, files);
    } catch {
      // a workspace that has not been built has no tests to run
    }
  }
}
files.sort();
// The end-to-end suite is listed after the packages' and apps' tests.
const e2eDist = join(root, 'e2e', 'dist');
try {
  if (statSync(e2eDist).isDirectory()) files.push(...walk(e2eDist, []).sort());
} catch {
  // e2e has not been built: it has no tests to run
}
const selected = only.length === 0 ? files : files.filter((file) => only.some((part) => file.includes(part)));
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'paas-tests-'));
const skippedFile = join(scratch, 'skipped.txt');
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(import.meta.dirname, 'skipped-reporter.js')}`,
  `--test-reporter-destination=${skippedFile}`,
];
const result = spawnSync(process.execPath, ['--test', ...reporters, ...selected], {
  stdio: 'inherit',
  cwd: root,
});
try {
  const skipped = readFileSync(skippedFile, 'utf8');
  if (skipped !== '') process.stdout.write(`\n${skipped}`);
} catch {
  // the runner ended before any reporter wrote: its own output says why
}
rmSync(scratch, { recursive: true, force: true });
process.exit(result.status ?? 1);
