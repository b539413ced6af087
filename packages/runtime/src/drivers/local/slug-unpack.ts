import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import type { SlugRef } from '../../driver.js';
import { type TarEntry, readTarEntries } from '../shared/tar-format.js';

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

/**
 * Refuses entries that could make `tar -x` write outside the target directory, one entry
 * at a time, in archive order: each entry is checked before tar is given its header.
 * Order does not weaken it: a path through a symlink is refused whether the symlink came
 * before it or comes after it.
 */
export function createEntryVetter(): (entry: TarEntry) => void {
  const symlinks = new Set<string>();
  /** Every proper prefix of every path so far: a later symlink there would sit above it. */
  const parents = new Set<string>();
  const checkPath = (path: string): void => {
    for (const prefix of properPrefixes(path)) {
      if (symlinks.has(prefix)) throw new UnsafeSlugError(`The entry ${JSON.stringify(path)} goes through the symbolic link ${JSON.stringify(prefix)}.`);
      parents.add(prefix);
    }
  };
  return (entry) => {
    const name = normalizeEntry(entry.name, 'The entry');
    if (entry.type === 'other') throw new UnsafeSlugError(`The entry ${JSON.stringify(entry.name)} is a device, fifo or unknown kind (type ${JSON.stringify(entry.flag)}).`);
    if (entry.type === 'symlink') {
      if (entry.linkname === '' || entry.linkname.includes('\0') || entry.linkname.startsWith('/') || lexicalTarget(name, entry.linkname) === undefined) {
        throw new UnsafeSlugError(`The symbolic link ${JSON.stringify(entry.name)} points to ${JSON.stringify(entry.linkname)}, outside the app.`);
      }
      if (parents.has(name)) throw new UnsafeSlugError(`The entry under ${JSON.stringify(name)} goes through the symbolic link ${JSON.stringify(name)}.`);
      symlinks.add(name);
    }
    checkPath(name);
    if (entry.type === 'hardlink') checkPath(normalizeEntry(entry.linkname, `The hard link ${JSON.stringify(entry.name)} to`));
  };
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

/** The checksum names a directory: nothing but what a sha256 in hex can be. */
function checkChecksum(checksum: string): void {
  if (!/^[0-9a-f]{64}$/.test(checksum)) throw new UnsafeSlugError('A slug checksum is 64 lowercase hex digits.');
}

/**
 * Unpacks a slug once into `<root>/<checksum>/` and returns that directory. One pass over
 * the file: its bytes are hashed and inflated here, every entry is vetted as its header
 * arrives, and only then is the uncompressed stream handed on to `tar -x` in a temporary
 * directory. The checksum is compared at the end and the symlinks are checked on disk
 * before an atomic rename puts the tree in place; anything wrong discards the temporary
 * directory. Two concurrent callers (even in two processes) both succeed: the loser of
 * the rename discards its copy.
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

/** `tar -x` reading an uncompressed archive from its stdin into `dir`. */
function startTar(dir: string): { stdin: Writable; done: Promise<void> } {
  const child = spawn('tar', ['-x', '-f', '-', '-C', dir, '--no-same-owner', '--no-same-permissions'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
  // A tar that stopped early closes its stdin: the exit below says why, not the EPIPE.
  child.stdin.on('error', () => undefined);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${String(code)}: ${errors.trim()}`))));
  });
  return { stdin: child.stdin, done };
}

/**
 * Passes each chunk on to `out` once the parser has asked for the next one, i.e. once
 * every header that ends in it has been read and vetted. A header cut across two chunks
 * reaches tar only in part until then, and tar acts on none of it before it is whole.
 */
async function* forwardWhenRead(source: AsyncIterable<Buffer>, out: Writable): AsyncGenerator<Buffer> {
  const write = async (chunk: Buffer): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let previous: Buffer | undefined;
  for await (const chunk of source) {
    if (previous) await write(previous);
    previous = chunk;
    yield chunk;
  }
  if (previous) await write(previous);
}

async function unpackOnce(slug: SlugRef, root: string): Promise<string> {
  checkChecksum(slug.checksum);
  const target = join(root, slug.checksum);
  if (await isDirectory(target)) return target;
  await mkdir(root, { recursive: true });
  const scratch = await mkdtemp(join(root, '.unpack-'));
  const tar = startTar(scratch);
  const tarDone = tar.done.catch((error: unknown) => error as Error);
  try {
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const vet = createEntryVetter();
    // A failing last stage comes out of the pipeline as its own teardown (an AbortError):
    // keep what really stopped it.
    let stopped: unknown;
    try {
      await pipeline(createReadStream(slug.path), hashing, createGunzip(), async (stream: AsyncIterable<Buffer>) => {
        try {
          await readTarEntries(forwardWhenRead(stream, tar.stdin), vet);
        } catch (error) {
          stopped = error;
          throw error;
        }
      });
    } catch (error) {
      throw stopped ?? error;
    } finally {
      tar.stdin.end();
    }
    const actual = hash.digest('hex');
    if (actual !== slug.checksum) throw new UnsafeSlugError(`The slug file's sha256 is ${actual}, not ${slug.checksum}.`);
    const tarError = await tarDone;
    if (tarError) throw tarError;
    await vetTree(scratch);
    try {
      await rename(scratch, target);
    } catch (error) {
      // Someone else put the same checksum in place first: theirs is as good as ours.
      if (!(await isDirectory(target))) throw error;
    }
    return target;
  } finally {
    // tar ends once its input has: only then can nothing more appear in the scratch dir.
    await tarDone;
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Takes `dir`, the tree a slug was just packed from on this machine, as the slug's
 * unpacked copy, so that the first start of its release does not unpack what was packed
 * a moment ago. Its links are checked on disk as an unpacked slug's are. False when it is
 * not taken (the slug is already unpacked, or `dir` is on another filesystem): the
 * caller keeps `dir`, and the slug is unpacked from its file when needed.
 */
export async function seedUnpackedSlug(checksum: string, dir: string, root: string): Promise<boolean> {
  checkChecksum(checksum);
  const target = join(root, checksum);
  if (await isDirectory(target)) return false;
  await mkdir(root, { recursive: true });
  await vetTree(dir);
  try {
    await rename(dir, target);
    return true;
  } catch (error) {
    // EXDEV: another filesystem; ENOTEMPTY/EEXIST: unpacked meanwhile by a start.
    if ((error as NodeJS.ErrnoException).code === 'EXDEV' || (await isDirectory(target))) return false;
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
