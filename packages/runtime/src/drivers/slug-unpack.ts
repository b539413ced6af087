import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, open, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import type { SlugRef } from '../driver.js';
import { runCommand } from './local-host.js';
import { type TarEntry, readTarEntries } from './tar-format.js';

/** A slug that would write or point outside its directory, or that is not what its checksum says. */
export class UnsafeSlugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeSlugError';
  }
}

/** `./a//b/` → `a/b`; refuses absolute names, `..` and NUL. */
function normalizeEntry(name: string, what: string): string {
  if (name.includes('\0')) throw new UnsafeSlugError(`${what} ${JSON.stringify(name)} holds a NUL byte.`);
  if (name.startsWith('/')) throw new UnsafeSlugError(`${what} ${JSON.stringify(name)} is an absolute path.`);
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafeSlugError(`${what} ${JSON.stringify(name)} climbs out with "..".`);
  return parts.join('/');
}

/** Where a relative symlink target lands, lexically; undefined when it climbs above the root. */
function lexicalTarget(linkPath: string, target: string): string | undefined {
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved === '..' || resolved.startsWith('../') ? undefined : resolved;
}

function properPrefixes(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Refuses entries that could make `tar -x` write outside the target directory. */
export function vetEntries(entries: readonly TarEntry[]): void {
  const symlinks = new Set<string>();
  const paths: string[] = [];
  for (const entry of entries) {
    const name = normalizeEntry(entry.name, 'The entry');
    if (entry.type === 'other') throw new UnsafeSlugError(`The entry ${JSON.stringify(entry.name)} is a device, fifo or unknown kind (type ${JSON.stringify(entry.flag)}).`);
    if (entry.type === 'symlink') {
      if (entry.linkname === '' || entry.linkname.includes('\0') || entry.linkname.startsWith('/')) {
        throw new UnsafeSlugError(`The symbolic link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname)}, outside the app.`);
      }
      if (lexicalTarget(name, entry.linkname) === undefined) {
        throw new UnsafeSlugError(`The symbolic link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname)}, outside the app.`);
      }
      symlinks.add(name);
    }
    paths.push(name);
    if (entry.type === 'hardlink') paths.push(normalizeEntry(entry.linkname, `The hard link ${JSON.stringify(entry.name)} to`));
  }
  // Writing through a link the archive made earlier is the classic escape (`l -> /etc`, then `l/passwd`).
  for (const path of paths) {
    const through = properPrefixes(path).find((prefix) => symlinks.has(prefix));
    if (through !== undefined) throw new UnsafeSlugError(`The entry ${JSON.stringify(path)} goes through the symbolic link ${JSON.stringify(through)}.`);
  }
}

/** Follows a symlink on disk component by component; false when it leaves `root`. */
async function linkStaysInside(root: string, linkPath: string): Promise<boolean> {
  const resolved = linkPath.split('/').slice(0, -1);
  let pending = (await readlink(join(root, linkPath))).split('/');
  if (pending[0] === '') return false; // absolute
  for (let hops = 0; pending.length > 0; ) {
    const part = pending.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.pop() === undefined) return false;
      continue;
    }
    resolved.push(part);
    const info = await lstat(join(root, ...resolved)).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      hops += 1;
      const target = await readlink(join(root, ...resolved));
      if (target.startsWith('/') || hops > 40) return false;
      resolved.pop();
      pending = [...target.split('/'), ...pending];
    }
  }
  return true;
}

/** Checks every symlink of an unpacked tree physically (links through links can climb out). */
async function vetTree(root: string, relative = ''): Promise<void> {
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await vetTree(root, path);
    else if (entry.isSymbolicLink() && !(await linkStaysInside(root, path))) {
      throw new UnsafeSlugError(`The symbolic link ${JSON.stringify(path)} leads outside the app.`);
    }
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Unpacks a slug once into `<root>/<checksum>/` and returns that directory. The file is
 * opened once: its bytes are hashed and its entries vetted, then the same open file is
 * unpacked into a temporary directory, whose symlinks are checked on disk before an
 * atomic rename puts it in place. Two concurrent callers (even in two processes) both
 * succeed: the loser of the rename discards its copy.
 */
export function unpackSlug(slug: SlugRef, root: string): Promise<string> {
  const key = `${root}\0${slug.checksum}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = unpackOnce(slug, root).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function unpackOnce(slug: SlugRef, root: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(slug.checksum)) throw new UnsafeSlugError('A slug checksum is 64 lowercase hex digits.');
  const target = join(root, slug.checksum);
  if (await isDirectory(target)) return target;
  await mkdir(root, { recursive: true });
  const scratch = await mkdtemp(join(root, '.unpack-'));
  const file = await open(slug.path, 'r');
  try {
    const hash = createHash('sha256');
    const entries: TarEntry[] = [];
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // `start: 0` reads by position, so the descriptor's own offset stays at 0 for tar.
    await pipeline(file.createReadStream({ start: 0, autoClose: false }), hashing, createGunzip(), (stream: AsyncIterable<Buffer>) =>
      readTarEntries(stream, (entry) => entries.push(entry)),
    );
    const actual = hash.digest('hex');
    if (actual !== slug.checksum) throw new UnsafeSlugError(`The slug file's sha256 is ${actual}, not ${slug.checksum}.`);
    vetEntries(entries);
    await runCommand('tar', ['-x', '-z', '-f', '-', '-C', scratch, '--no-same-owner', '--no-same-permissions'], file.fd);
    await vetTree(scratch);
    try {
      await rename(scratch, target);
    } catch (error) {
      // Someone else put the same checksum in place first: theirs is as good as ours.
      if (!(await isDirectory(target))) throw error;
    }
    return target;
  } finally {
    await file.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
