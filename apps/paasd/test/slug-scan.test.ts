import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import { packSlug } from '@paas/builder';

import { scanSlugArchive, scanSlugDir } from '../src/metrics/slug-scan.js';

const APP_FILES: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'x', engines: { node: '20.x' } }),
    'package-lock.json': '{}',
    '.env': 'SECRET=1\n',
    '.env.example': 'SECRET=\n',
    'src/config.js': 'const port = process.env.PORT;\nconst password = "hunter2-hunter2";\n',
    'src/aws.py': 'KEY = "AKIAABCDEFGHIJKLMNOP"\n',
    'node_modules/dep/index.js': 'const token = "not-ours-to-judge";\n',
    'log/app.log': 'a line\n',
};
const EXPECTED = {
  manifests: ['package.json'],
  lockfiles: ['package-lock.json'],
  enginesPinned: true,
  envFiles: ['.env'],
  secretLiterals: ['src/aws.py:1', 'src/config.js:2'],
  logFiles: ['log/app.log'],
};

function appDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'paas-slug-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, body] of Object.entries(APP_FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

test('a slug scan finds manifests, lockfiles, engines, .env files, secret-looking literals and log files', async (t) => {
  const dir = appDir(t);
  symlinkSync('/etc/passwd', join(dir, 'src', 'linked.js'));
  assert.deepEqual(await scanSlugDir(dir), EXPECTED);
});

test('the stored slug archive gives the same scan as the unpacked slug (Docker and Swarm read it)', async (t) => {
  const dir = appDir(t);
  symlinkSync('config.js', join(dir, 'src', 'linked.js'));
  const out = mkdtempSync(join(tmpdir(), 'paas-slug-scan-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await packSlug(dir, join(out, 'slug.tgz'));
  assert.deepEqual(await scanSlugArchive(join(out, 'slug.tgz')), EXPECTED);
  assert.deepEqual(await scanSlugDir(dir), EXPECTED);
});

test('without engines.node, and without any manifest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-slug-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'server.py'), 'print("hi")\n');
  assert.equal((await scanSlugDir(dir)).enginesPinned, null);
  writeFileSync(join(dir, 'package.json'), '{"name": "x"}');
  assert.equal((await scanSlugDir(dir)).enginesPinned, false);
});
