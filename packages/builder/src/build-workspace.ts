import type { Hash } from 'node:crypto';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

import { BuildLog, formatBytes } from './build-log.js';
import { BuildStopped } from './build-stopped.js';
import { type BuildpackUsed, DEFAULT_PATH, DEFAULT_STACK, type RunBuildOptions } from './build-types.js';
import type { BuildpackContext } from './buildpack-run.js';
import { createHostEnvironment } from './host-environment.js';
import { maybeGunzip } from './source-stream.js';
import { applySlugIgnore } from './slug-ignore.js';
import { type SlugInfo, SlugTooLargeError, packSlug } from './slug.js';
import { ArchiveLimitError, ArchiveTooLargeError, UnsafePathError, checkLinksInside, extractTar } from './tar-extract.js';
import { TarFormatError } from './tar-reader.js';

/** One build's state: its options, log, work dir and the step under way (named in failures). */
export class Build {
  readonly options: RunBuildOptions;
  readonly log: BuildLog;
  readonly stack: string;
  readonly signal: AbortSignal;
  readonly used: BuildpackUsed[] = [];
  step = 'setup';
  work = '';
  /** Buildpacks app.json names, used when the app has none set. */
  appJsonBuildpacks: readonly string[] | undefined;

  constructor(options: RunBuildOptions, signal: AbortSignal) {
    this.options = options;
    this.signal = signal;
    this.stack = options.stack ?? DEFAULT_STACK;
    this.log = new BuildLog(options.output, options.outputLimitBytes === undefined ? {} : { limitBytes: options.outputLimitBytes });
  }

  dir(name: string): string {
    return join(this.work, name);
  }

  async prepare(): Promise<void> {
    await mkdir(this.options.cacheDir, { recursive: true });
    const parent = this.options.workInCacheDir === true ? join(resolve(this.options.cacheDir), '.paas-build-') : join(this.options.workRoot ?? tmpdir(), 'paas-build-');
    this.work = await mkdtemp(parent);
    for (const name of ['app', 'env', 'buildpacks', 'home', 'tmp']) await mkdir(this.dir(name));
    for (const [key, value] of Object.entries(this.options.configVars ?? {})) {
      await writeFile(join(this.dir('env'), key), value, { mode: 0o600 });
    }
  }

  async unpackSource(): Promise<void> {
    this.step = 'unpacking the source';
    const appDir = this.dir('app');
    try {
      if (this.options.sourceTar !== undefined) {
        try {
          await extractTar(maybeGunzip(this.options.sourceTar), appDir, { signal: this.signal });
        } finally {
          // We own the stream now: whoever writes into it (`git archive`) must not block on it.
          this.options.sourceTar.destroy();
        }
      } else {
        const source = resolve(this.options.sourceDir ?? '');
        await cp(source, appDir, { recursive: true, verbatimSymlinks: true, filter: (path) => path !== join(source, '.git') });
        await checkLinksInside(appDir);
      }
    } catch (error) {
      if (error instanceof UnsafePathError) throw new BuildStopped({ kind: 'unsafe_path', where: 'source', entry: error.entry, reason: error.reason });
      if (error instanceof TarFormatError) throw new BuildStopped({ kind: 'invalid_source', reason: error.message });
      if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('Z_')) {
        throw new BuildStopped({ kind: 'invalid_source', reason: 'its gzip compression is damaged' });
      }
      if (error instanceof ArchiveTooLargeError) throw new BuildStopped({ kind: 'invalid_source', reason: `it unpacks to more than ${formatBytes(error.limitBytes)}` });
      if (error instanceof ArchiveLimitError) throw new BuildStopped({ kind: 'invalid_source', reason: `it ${error.limit}` });
      if ((error as { code?: unknown }).code === 'ENAMETOOLONG') throw new BuildStopped({ kind: 'invalid_source', reason: 'a path in it is longer than this system allows' });
      throw error;
    }
    const removed = await applySlugIgnore(appDir);
    if (removed > 0) this.log.step(`Deleting ${String(removed)} file${removed === 1 ? '' : 's'} matching .slugignore patterns`);
  }


  context(): BuildpackContext {
    return {
      environment: this.options.environment ?? createHostEnvironment(),
      log: this.log,
      appDir: this.dir('app'),
      cacheDir: resolve(this.options.cacheDir),
      envDir: this.dir('env'),
      env: {
        PATH: DEFAULT_PATH,
        LANG: 'C.UTF-8',
        ...this.options.env,
        HOME: this.dir('home'),
        TMPDIR: this.dir('tmp'),
        STACK: this.stack,
        ...(this.options.commit === undefined ? {} : { SOURCE_VERSION: this.options.commit }),
      },
      // The work dir inside the cache dir: one mount holds both.
      mounts: this.options.workInCacheDir === true ? [resolve(this.options.cacheDir)] : [this.work, resolve(this.options.cacheDir)],
      signal: this.signal,
    };
  }

  linksChecked = false;

  /** Links of the app dir are checked once for the layer and the slug alike. */
  async checkLinks(): Promise<void> {
    if (this.linksChecked) return;
    try {
      await checkLinksInside(this.dir('app'));
    } catch (error) {
      if (error instanceof UnsafePathError) throw new BuildStopped({ kind: 'unsafe_path', where: 'slug', entry: error.entry, reason: error.reason });
      throw error;
    }
    this.linksChecked = true;
  }

  async packTree(file: string, selection: { only?: readonly string[]; without?: readonly string[]; tarHash?: Hash; tee?: Writable }): Promise<SlugInfo> {
    try {
      return await packSlug(this.dir('app'), file, {
        signal: this.signal,
        linksChecked: this.linksChecked,
        ...selection,
        ...(this.options.maxSlugBytes === undefined ? {} : { maxBytes: this.options.maxSlugBytes }),
        ...(this.options.slugCompressionLevel === undefined ? {} : { level: this.options.slugCompressionLevel }),
        ...(this.options.slugMemberCacheDir === undefined ? {} : { memberCacheDir: this.options.slugMemberCacheDir }),
      });
    } catch (error) {
      if (error instanceof SlugTooLargeError) throw new BuildStopped({ kind: 'slug_too_large', limitBytes: error.limitBytes });
      if (error instanceof UnsafePathError) throw new BuildStopped({ kind: 'unsafe_path', where: 'slug', entry: error.entry, reason: error.reason });
      throw error;
    }
  }
}
