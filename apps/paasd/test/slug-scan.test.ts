import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { scanSlugDir } from '../src/metrics/slug-scan.js';

test('a slug scan finds manifests, lockfiles, engines, .env files, secret-looking literals and log files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-slug-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'x', engines: { node: '20.x' } }),
    'package-lock.json': '{}',
    '.env': 'SECRET=1\n',
    '.env.example': 'SECRET=\n',
    'src/config.js': 'const port = process.env.PORT;\nconst password = "hunter2-hunter2";\n',
    'src/aws.py': 'KEY = "AKIAABCDEFGHIJKLMNOP"\n',
    'node_modules/dep/index.js': 'const token = "not-ours-to-judge";\n',
    'log/app.log': 'a line\n',
  };
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  symlinkSync('/etc/passwd', join(dir, 'src', 'linked.js'));
  assert.deepEqual(await scanSlugDir(dir), {
    manifests: ['package.json'],
    lockfiles: ['package-lock.json'],
    enginesPinned: true,
    envFiles: ['.env'],
    secretLiterals: ['src/aws.py:1', 'src/config.js:2'],
    logFiles: ['log/app.log'],
  });
});

test('without engines.node, and without any manifest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-slug-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'server.py'), 'print("hi")\n');
  assert.equal((await scanSlugDir(dir)).enginesPinned, null);
  writeFileSync(join(dir, 'package.json'), '{"name": "x"}');
  assert.equal((await scanSlugDir(dir)).enginesPinned, false);
});
