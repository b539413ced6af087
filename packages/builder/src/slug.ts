import { type Hash, createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import { PaasError } from '@paas/core';

import { captureOutput } from './bounded-capture.js';
import { createMemberGzip, pruneMemberCache } from './gzip-members.js';
import { runOnHost } from './host-environment.js';
import { type ExtractOptions, type ExtractSummary, checkLinksInside, extractTar } from './tar-extract.js';

export const DEFAULT_MAX_SLUG_BYTES = 500 * 1024 * 1024;
export const DEFAULT_SLUG_COMPRESSION_LEVEL = 1;

export interface SlugInfo {
  readonly sha256: string;
  /** Compressed size in bytes. */
  readonly size: number;
}

export interface PackSlugOptions {
  /** Compressed size limit; default 500 MB. */
  readonly maxBytes?: number;
  /**
   * gzip level, 1 (fast) to 9 (small); default 1. A slug is mostly a language runtime and
   * dependencies, packed on every build: level 6 takes about three times as long as level 1
   * for about 10% less (a 165 MB node app: 54 MB against 60 MB), and the slug is read back
   * on the same machine.
   */
  readonly level?: number;
  /** Where compressed pieces of earlier slugs are kept for reuse (see gzip-members.ts); none: no reuse. */
  readonly memberCacheDir?: string;
  readonly signal?: AbortSignal;
  /** Only these paths (relative to the app dir, e.g. `.heroku/node`): a runtime layer. */
  readonly only?: readonly string[];
  /** Everything but these paths: the app layer of a slug whose runtime is a layer of its own. */
  readonly without?: readonly string[];
  /** Skips the check of the app dir's links (the caller made it already, for the same tree). */
  readonly linksChecked?: boolean;
  /** Also given every byte of the uncompressed tar: a digest of exactly what was packed. */
  readonly tarHash?: Hash;
  /**
   * Also written every byte of the uncompressed tar (with backpressure), e.g. a `tar -x`
   * unpacking what is packed. Not ended here; once it breaks it is skipped, never stopping the pack.
   */
  readonly tee?: Writable;
}

/** What a pack takes from the app dir: everything, only some paths, or everything but some. */
export interface TarSelection {
  readonly only?: readonly string[] | undefined;
  readonly without?: readonly string[] | undefined;
}

export class SlugTooLargeError extends PaasError {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(
      'payload_too_large',
      `The compiled slug is over the size limit of ${String(Math.round(limitBytes / (1024 * 1024)))} MB (compressed). ` +
        'Make the app smaller: keep large files out of the repository, prune dev dependencies, ' +
        'and keep downloads and build caches out of the app directory.',
    );
    this.name = 'SlugTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/**
 * GNU tar with everything that varies between machines and runs pinned down: sorted
 * names, mtime 0, owner and group 0 as numbers, the GNU format (no pax atime/ctime
 * records). Node's gzip writes no timestamp and no file name. So the same files
 * give the same bytes, hence the same sha256.
 */
export function tarArguments(appDir: string, selection: TarSelection = {}): string[] {
  // Names as tar writes them (`./.heroku/node`); matched whole from the start, no wildcards.
  const excluded = (selection.without ?? []).flatMap((path) => ['--anchored', '--no-wildcards', `--exclude=./${path}`]);
  const members = selection.only === undefined ? ['.'] : [...selection.only].sort().map((path) => `./${path}`);
  return [
    '--create',
    '--file=-',
    '--format=gnu',
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    ...excluded,
    `--directory=${appDir}`,
    // Members start with `./`: none can be read as an option.
    ...members,
  ];
}

/**
 * Packs `appDir` into a deterministic gzip tar at `outFile`. Refuses links that point
 * outside `appDir` and stops (removing `outFile`) as soon as the compressed size
 * passes the limit.
 */
export async function packSlug(appDir: string, outFile: string, options: PackSlugOptions = {}): Promise<SlugInfo> {
  const root = resolve(appDir);
  if (options.linksChecked !== true) await checkLinksInside(root);
  const limit = options.maxBytes ?? DEFAULT_MAX_SLUG_BYTES;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const hash = createHash('sha256');
  let size = 0;
  const gzip = createMemberGzip({
    level: options.level ?? DEFAULT_SLUG_COMPRESSION_LEVEL,
    ...(options.memberCacheDir === undefined ? {} : { cacheDir: options.memberCacheDir }),
  });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) {
        callback(new SlugTooLargeError(limit));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const written = pipeline(gzip, meter, createWriteStream(outFile, { mode: 0o644 }));
  const { tarHash, tee } = options;
  const input = tarHash || tee ? copyTar(tarHash, tee) : gzip;
  if (input !== gzip) input.pipe(gzip);
  // Whatever breaks the pipeline (the size limit, a full disk) must also stop tar.
  let pipelineError: unknown;
  written.catch((error: unknown) => {
    pipelineError = error;
    stop.abort();
  });
  const stderr = captureOutput(16 * 1024);
  try {
    const result = await runOnHost('tar', tarArguments(root, options), {
      cwd: root,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' },
      stdout: input,
      stderr: stderr.stream,
      signal,
    });
    if (pipelineError !== undefined) throw pipelineError as Error;
    options.signal?.throwIfAborted();
    if (result.exitCode !== 0) {
      throw new Error(`tar could not pack the slug (exit ${String(result.exitCode ?? result.signal)}): ${stderr.text().trim()}`);
    }
    input.end();
    await written;
    if (options.memberCacheDir !== undefined) await pruneMemberCache(options.memberCacheDir);
  } catch (error) {
    input.destroy();
    gzip.destroy();
    await written.catch(() => undefined);
    await rm(outFile, { force: true });
    throw error;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A pass-through that hashes the tar and writes it to `tee` too, waiting while `tee` is full. */
function copyTar(tarHash: Hash | undefined, tee: Writable | undefined): Transform {
  const usable = (): boolean => tee !== undefined && !tee.destroyed && !tee.writableEnded && tee.errored === null;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      tarHash?.update(chunk);
      if (tee === undefined || !usable() || tee.write(chunk)) {
        callback(null, chunk);
        return;
      }
      const go = (): void => {
        tee.off('drain', go).off('close', go).off('error', go);
        callback(null, chunk);
      };
      tee.on('drain', go).on('close', go).on('error', go);
    },
  });
}

/** Unpacks a slug into `dir` with the same checks as any archive we accept. */
export async function unpackSlug(file: string, dir: string, options: ExtractOptions = {}): Promise<ExtractSummary> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    return await extractTar(gunzip, dir, options);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}
