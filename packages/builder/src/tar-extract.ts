import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, readlink, realpath, symlink, unlink } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type TarEntry, readTar } from './tar-reader.js';

/** An archive entry or a file that would reach outside the directory it belongs to. */
export class UnsafePathError extends Error {
  readonly entry: string;
  readonly reason: string;

  constructor(entry: string, reason: string) {
    super(`Refused ${JSON.stringify(entry)}: ${reason}.`);
    this.name = 'UnsafePathError';
    this.entry = entry;
    this.reason = reason;
  }
}

export class ArchiveTooLargeError extends Error {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`The archive unpacks to more than ${String(limitBytes)} bytes.`);
    this.name = 'ArchiveTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/** The archive passes one of the limits on its shape: how many entries, how deep, how long a name. */
export class ArchiveLimitError extends Error {
  constructor(readonly limit: string) {
    super(`The archive ${limit}.`);
    this.name = 'ArchiveLimitError';
  }
}

/** Limits on an archive's shape, checked before anything is written: a tar bomb of tiny files or of deep names says which limit it hit. */
export interface ArchiveShapeLimits {
  readonly entries: number;
  readonly depth: number;
  readonly pathBytes: number;
  readonly nameBytes: number;
}
export const ARCHIVE_LIMITS: ArchiveShapeLimits = { entries: 1_000_000, depth: 128, pathBytes: 4_096, nameBytes: 255 };

function checkShape(relPath: string, entries: number, limits: ArchiveShapeLimits): void {
  if (entries > limits.entries) throw new ArchiveLimitError(`has more than ${limits.entries.toLocaleString('en')} entries`);
  const parts = relPath.split('/');
  if (parts.length > limits.depth) {
    throw new ArchiveLimitError(`has a path ${String(parts.length)} levels deep, beyond the limit of ${String(limits.depth)} (${JSON.stringify(`${relPath.slice(0, 60)}…`)})`);
  }
  if (Buffer.byteLength(relPath) > limits.pathBytes) {
    throw new ArchiveLimitError(`has a path of ${String(Buffer.byteLength(relPath))} bytes, beyond the limit of ${String(limits.pathBytes)}`);
  }
  const long = parts.find((part) => Buffer.byteLength(part) > limits.nameBytes);
  if (long !== undefined) throw new ArchiveLimitError(`has a file name of ${String(Buffer.byteLength(long))} bytes, beyond the limit of ${String(limits.nameBytes)}`);
}

export interface ExtractOptions {
  /** Refuse archives that unpack to more than this many bytes of file data. */
  readonly maxBytes?: number;
  /** Tighter limits on the archive's shape than ARCHIVE_LIMITS. */
  readonly limits?: Partial<ArchiveShapeLimits>;
  readonly signal?: AbortSignal;
}

export interface ExtractSummary {
  readonly files: number;
  readonly bytes: number;
  /** Devices, fifos and other special entries, skipped. */
  readonly skipped: readonly string[];
}

export const DEFAULT_MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024;

/** `a/./b/` → `a/b`; refuses absolute names and `..` components. */
export function normalizeEntryPath(name: string): string {
  if (name.includes('\0')) throw new UnsafePathError(name, 'the name holds a NUL byte');
  if (name.startsWith('/')) throw new UnsafePathError(name, 'it is an absolute path');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafePathError(name, 'it climbs out of the target directory with ".."');
  return parts.join('/');
}

/** Checks that a symbolic link at `relPath` (inside the root) points inside the root. */
export function checkLinkTarget(relPath: string, target: string): void {
  if (target === '' || target.includes('\0')) throw new UnsafePathError(relPath, 'it is a symbolic link with an empty or invalid target');
  if (target.startsWith('/')) {
    throw new UnsafePathError(relPath, `it is a symbolic link to the absolute path ${JSON.stringify(target)}, outside the app`);
  }
  const resolved = posix.normalize(posix.join(posix.dirname(relPath), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new UnsafePathError(relPath, `it is a symbolic link to ${JSON.stringify(target)}, which points outside the app`);
  }
}

/** True when `path` is `root` or lies below it (both real paths). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** After extraction or a build: every link that resolves must resolve inside the root. */
export async function checkResolvedLinks(root: string, links: readonly string[]): Promise<void> {
  const realRoot = await realpath(root);
  for (const relPath of links) {
    let resolved: string;
    try {
      resolved = await realpath(join(root, relPath));
    } catch {
      // A dangling link points nowhere yet; its text was checked lexically already.
      continue;
    }
    if (!isInside(realRoot, resolved)) {
      throw new UnsafePathError(relPath, 'it is a symbolic link that leads outside the app through other links');
    }
  }
}

class Extraction {
  readonly #root: string;
  readonly #options: ExtractOptions;
  readonly #safeDirs = new Set<string>(['']);
  readonly #dirModes = new Map<string, number>();
  #entries = 0;
  readonly links: string[] = [];
  readonly skipped: string[] = [];
  files = 0;
  bytes = 0;

  constructor(root: string, options: ExtractOptions) {
    this.#root = root;
    this.#options = options;
  }

  /** Creates the parents of `relPath`, refusing to go through links or files. */
  async #prepareParent(relPath: string): Promise<void> {
    const parts = relPath.split('/').slice(0, -1);
    let current = '';
    for (const part of parts) {
      current = current === '' ? part : `${current}/${part}`;
      if (this.#safeDirs.has(current)) continue;
      const stat = await lstat(join(this.#root, current)).catch(() => undefined);
      if (stat === undefined) await mkdir(join(this.#root, current));
      else if (stat.isSymbolicLink()) throw new UnsafePathError(relPath, `it would be written through the symbolic link ${current}`);
      else if (!stat.isDirectory()) throw new UnsafePathError(relPath, `its parent ${current} is not a directory`);
      this.#safeDirs.add(current);
    }
  }

  /** True when `relPath` is a regular file reached through real directories only. */
  async #isPlainFile(relPath: string): Promise<boolean> {
    if (relPath === '') return false;
    const parts = relPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const stat = await lstat(join(this.#root, ...parts.slice(0, i))).catch(() => undefined);
      if (stat === undefined) return false;
      if (i < parts.length ? !stat.isDirectory() : !stat.isFile()) return false;
    }
    return true;
  }

  /** Makes room for a non-directory at `relPath`. */
  async #clear(relPath: string): Promise<void> {
    const stat = await lstat(join(this.#root, relPath)).catch(() => undefined);
    if (stat === undefined) return;
    if (stat.isDirectory()) throw new UnsafePathError(relPath, 'it would replace a directory');
    await unlink(join(this.#root, relPath));
  }

  async add(entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    this.#options.signal?.throwIfAborted();
    const relPath = normalizeEntryPath(entry.path);
    this.#entries += 1;
    checkShape(relPath, this.#entries, { ...ARCHIVE_LIMITS, ...this.#options.limits });
    if (relPath === '') {
      if (entry.type === 'directory') return;
      throw new UnsafePathError(entry.path, 'it names the target directory itself');
    }
    await this.#prepareParent(relPath);
    const target = join(this.#root, relPath);
    switch (entry.type) {
      case 'directory': {
        const stat = await lstat(target).catch(() => undefined);
        if (stat === undefined) await mkdir(target);
        else if (!stat.isDirectory()) throw new UnsafePathError(entry.path, 'a directory would replace a file or a link');
        this.#safeDirs.add(relPath);
        this.#dirModes.set(relPath, entry.mode & 0o777);
        return;
      }
      case 'file':
        await this.#clear(relPath);
        await this.#writeFile(target, entry, body);
        return;
      case 'symlink':
        checkLinkTarget(relPath, entry.linkPath);
        await this.#clear(relPath);
        await symlink(entry.linkPath, target);
        this.links.push(relPath);
        return;
      case 'hardlink': {
        let source: string;
        try {
          source = normalizeEntryPath(entry.linkPath);
        } catch (error) {
          if (!(error instanceof UnsafePathError)) throw error;
          throw new UnsafePathError(entry.path, `it is a hard link to ${JSON.stringify(entry.linkPath)}, and ${error.reason}`);
        }
        if (!(await this.#isPlainFile(source))) {
          throw new UnsafePathError(entry.path, `it is a hard link to ${JSON.stringify(entry.linkPath)}, which is not a file unpacked before it`);
        }
        await this.#clear(relPath);
        await link(join(this.#root, source), target);
        return;
      }
      default:
        this.skipped.push(relPath);
    }
  }

  async #writeFile(target: string, entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const limit = this.#options.maxBytes ?? DEFAULT_MAX_UNPACKED_BYTES;
    if (this.bytes + entry.size > limit) throw new ArchiveTooLargeError(limit);
    // `wx` fails on anything already there, links included: we never write through one.
    await pipeline(Readable.from(body), createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    await chmod(target, entry.mode & 0o777);
    this.files += 1;
    this.bytes += entry.size;
  }

  /** Directory modes last, deepest first, so a read-only directory does not stop its children. */
  async finish(): Promise<void> {
    const dirs = [...this.#dirModes.entries()].sort(([a], [b]) => b.length - a.length);
    for (const [relPath, mode] of dirs) await chmod(join(this.#root, relPath), mode | 0o700);
    await checkResolvedLinks(this.#root, this.links);
  }
}

/**
 * Unpacks a tar stream into `dir` (created if needed), refusing entries with `..`,
 * absolute names, links pointing outside `dir`, hard links to anything but files
 * unpacked before, and writes through links. Owners are not restored; modes are,
 * without set-id bits. On refusal the partly unpacked files are left for the caller,
 * who owns `dir`, to remove.
 */
export async function extractTar(
  source: AsyncIterable<Buffer | string>,
  dir: string,
  options: ExtractOptions = {},
): Promise<ExtractSummary> {
  await mkdir(dir, { recursive: true });
  const extraction = new Extraction(dir, options);
  await readTar(source, (entry, body) => extraction.add(entry, body));
  await extraction.finish();
  return { files: extraction.files, bytes: extraction.bytes, skipped: extraction.skipped };
}

/** Lists symbolic links under `root` (relative paths) and checks each points inside it. */
export async function checkLinksInside(root: string): Promise<void> {
  const links: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await readdir(join(root, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const relPath = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        checkLinkTarget(relPath, await readlink(join(root, relPath)));
        links.push(relPath);
      } else if (entry.isDirectory()) {
        await walk(relPath);
      }
    }
  };
  await walk('');
  await checkResolvedLinks(root, links);
}
