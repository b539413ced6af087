import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/** Bytes of uncompressed input per gzip member. */
export const MEMBER_BYTES = 8 * 1024 * 1024;
/** Members unused for this long are dropped from the cache. */
const MEMBER_CACHE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Compresses a stream as consecutive gzip members, one per `MEMBER_BYTES` of input. A
 * file of concatenated members is one valid gzip file (RFC 1952; gzip, GNU tar, Node's
 * gunzip and Go's reader read it as one stream). The output depends only on the input
 * bytes, the level and the zlib version, so a slug stays deterministic.
 *
 * With `cacheDir`, each member is kept under the sha256 of its input: a slug whose first
 * 160 MB (the language runtime sorts first, under `.heroku/`) did not change between two
 * builds reuses those members instead of compressing them again.
 */
export function createMemberGzip(options: { level: number; cacheDir?: string }): Transform {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let members = 0;
  const prefix = `z${process.versions.zlib ?? 'unknown'}-l${String(options.level)}-`;

  const compress = async (input: Buffer): Promise<Buffer> => {
    if (options.cacheDir === undefined) return gzip(input, { level: options.level });
    const file = join(options.cacheDir, `${prefix}${createHash('sha256').update(input).digest('hex')}.gz`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached) {
      const now = new Date();
      // The age is only for pruning: a failed touch costs at most a recompression later.
      await utimes(file, now, now).catch(() => undefined);
      return cached;
    }
    const member = await gzip(input, { level: options.level });
    await mkdir(options.cacheDir, { recursive: true });
    const scratch = `${file}.${randomUUID()}.part`;
    await writeFile(scratch, member);
    await rename(scratch, file);
    return member;
  };

  const flushMembers = async (stream: Transform, all: boolean): Promise<void> => {
    while (pendingBytes >= MEMBER_BYTES || (all && pendingBytes > 0)) {
      const joined = Buffer.concat(pending);
      const input = joined.subarray(0, Math.min(MEMBER_BYTES, joined.length));
      const rest = joined.subarray(input.length);
      pending.length = 0;
      if (rest.length > 0) pending.push(rest);
      pendingBytes = rest.length;
      stream.push(await compress(input));
      members += 1;
    }
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < MEMBER_BYTES) return callback();
      flushMembers(this, false).then(() => callback(), callback);
    },
    flush(callback: TransformCallback) {
      flushMembers(this, true).then(async () => {
        // An empty input still makes a valid (empty) gzip file.
        if (members === 0) this.push(await gzip(Buffer.alloc(0), { level: options.level }));
        callback();
      }, callback);
    },
  });
}

/** Drops cached members unused for a week; a member another build is writing is a `.part` file and is left alone. */
export async function pruneMemberCache(cacheDir: string, now = Date.now()): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.endsWith('.gz'))) {
    const file = join(cacheDir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > MEMBER_CACHE_MAX_AGE_MS) await rm(file, { force: true });
  }
}
