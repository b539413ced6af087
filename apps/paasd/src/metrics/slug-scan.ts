import { lstat, open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { isLogFile, type SlugScan } from '@paas/core';

const LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'Gemfile.lock', 'poetry.lock', 'Pipfile.lock', 'go.sum', 'Cargo.lock', 'composer.lock']);
const MANIFESTS = new Set(['package.json', 'requirements.txt', 'Pipfile', 'pyproject.toml', 'Gemfile', 'go.mod', 'Cargo.toml', 'composer.json']);
/** Directories of installed dependencies and buildpack runtimes: not the app's own code. */
const SKIPPED_DIRS = new Set(['node_modules', '.heroku', '.git', 'vendor', '.cache', '.npm', '.venv']);
const CODE_FILE = /\.(js|mjs|cjs|ts|py|rb|go|php|java|json|ya?ml|toml|ini|conf|sh)$/;
const MOST_FILES = 5_000;
const MOST_BYTES = 256 * 1024;
/**
 * Literals that look like secrets: well-known key shapes, and assignments of a long literal
 * to a name like password, secret, token or api key.
 */
const SECRET_PATTERNS = [
  /AKIA[0-9A-Z]{16}/,
  /-----BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY-----/,
  /\b(sk|pk|rk)_(live|test)_[0-9A-Za-z]{16,}/,
  /\bgh[pousr]_[0-9A-Za-z]{30,}/,
  /\b(password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)["']?\s*[:=]\s*["'][^"'\s]{8,}["']/i,
];

/** What the slug's files say about factors II, III and XI; `dir` is the unpacked slug. */
export async function scanSlugDir(dir: string): Promise<SlugScan> {
  const files: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (files.length >= MOST_FILES) return;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(join(at, entry.name));
      } else if (entry.isFile()) {
        files.push(relative(dir, join(at, entry.name)));
      }
    }
  };
  await walk(dir);
  files.sort();
  const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  const secretLiterals: string[] = [];
  for (const path of files.filter((f) => CODE_FILE.test(f) && !LOCKFILES.has(base(f)))) {
    const text = await readHead(join(dir, path));
    text.split('\n').forEach((line, i) => {
      if (secretLiterals.length < 20 && SECRET_PATTERNS.some((re) => re.test(line))) secretLiterals.push(`${path}:${String(i + 1)}`);
    });
  }
  return {
    manifests: files.filter((f) => MANIFESTS.has(f)).sort(),
    lockfiles: files.filter((f) => LOCKFILES.has(base(f))).sort(),
    enginesPinned: await enginesPinned(dir),
    envFiles: files.filter((f) => /^\.env(\..+)?$/.test(base(f)) && !/\.(example|sample|template)$/.test(f)).sort(),
    secretLiterals,
    logFiles: files.filter(isLogFile).sort(),
  };
}

async function readHead(path: string): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(MOST_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MOST_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function enginesPinned(dir: string): Promise<boolean | null> {
  const path = join(dir, 'package.json');
  // Only a regular file is read, and only its head: the slug is the app's to shape.
  if (!(await lstat(path).catch(() => undefined))?.isFile()) return null;
  const text = await readHead(path);
  try {
    const engines = (JSON.parse(text) as { engines?: { node?: unknown } }).engines;
    return typeof engines?.node === 'string' && engines.node.trim() !== '' && engines.node.trim() !== '*';
  } catch {
    return false; // a package.json that does not parse pins nothing
  }
}
