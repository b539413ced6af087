import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createGunzip } from 'node:zlib';

import { readTar } from '@paas/builder';
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

/** A slug's regular files (paths relative to its root, sorted) and the head of any of them. */
interface SlugFiles {
  readonly files: readonly string[];
  readonly head: (path: string) => Promise<string>;
}

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
  return scan({ files, head: (path) => readHead(join(dir, path)) });
}

/**
 * The same scan read from the stored slug (a gzip tar), for runtimes that never unpack it
 * on this host (Docker, Swarm). One pass: the heads of the files the scan reads are kept.
 */
export async function scanSlugArchive(file: string): Promise<SlugScan> {
  const files: string[] = [];
  const heads = new Map<string, string>();
  await readTar(createReadStream(file).pipe(createGunzip()), async (entry, body) => {
    const path = entry.path.replace(/^(\.\/)+/, '');
    if (entry.type !== 'file' || files.length >= MOST_FILES || path === '' || path.split('/').some((part) => SKIPPED_DIRS.has(part))) return;
    files.push(path);
    if (!wantsHead(path)) return;
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of body) {
      if (bytes < MOST_BYTES) chunks.push(chunk.subarray(0, MOST_BYTES - bytes));
      bytes += chunk.length;
    }
    heads.set(path, Buffer.concat(chunks).toString('utf8'));
  });
  files.sort();
  return scan({ files, head: async (path) => heads.get(path) ?? '' });
}

const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const isScannedCode = (path: string): boolean => CODE_FILE.test(path) && !LOCKFILES.has(base(path));
const wantsHead = (path: string): boolean => isScannedCode(path) || path === 'package.json';

async function scan({ files, head }: SlugFiles): Promise<SlugScan> {
  const secretLiterals: string[] = [];
  for (const path of files.filter(isScannedCode)) {
    const text = await head(path);
    text.split('\n').forEach((line, i) => {
      if (secretLiterals.length < 20 && SECRET_PATTERNS.some((re) => re.test(line))) secretLiterals.push(`${path}:${String(i + 1)}`);
    });
  }
  return {
    manifests: files.filter((f) => MANIFESTS.has(f)).sort(),
    lockfiles: files.filter((f) => LOCKFILES.has(base(f))).sort(),
    enginesPinned: files.includes('package.json') ? enginesPinned(await head('package.json')) : null,
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

/** Only a regular file named package.json is read (the lists above hold regular files only), and only its head. */
function enginesPinned(text: string): boolean {
  try {
    const engines = (JSON.parse(text) as { engines?: { node?: unknown } }).engines;
    return typeof engines?.node === 'string' && engines.node.trim() !== '' && engines.node.trim() !== '*';
  } catch {
    return false; // a package.json that does not parse pins nothing
  }
}
