import { type Hash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { type AppJson, MAX_PROCESS_TYPES, type ProcessTypes, type TargetPolicy, PaasError, invalidParams, isConfigKey, isOutOfSpace, parseAppJson, parseProcfile } from '@paas/core';

import type { BuildEnvironment } from './build-environment.js';
import { type BuildFailure, type FailureEvent, classifyBuildFailure, formatBuildFailure } from './build-failure.js';
import { BuildLog, formatBytes } from './build-log.js';
import { BuildpackRefError, DEFAULT_BUILDPACKS_DIR, PLATFORM_BUILDPACKS, buildpackDirName, fetchBuildpack, parseBuildpackRef } from './buildpack-ref.js';
import { type BuildpackContext, type PreparedBuildpack, StepFailed, compileBuildpack, detectBuildpack, releaseBuildpack } from './buildpack-run.js';
import { createHostEnvironment } from './host-environment.js';
import { mergeProcessTypes } from './process-types.js';
import { maybeGunzip, takeStream } from './source-stream.js';
import { type RuntimeLayerDeclaration, RuntimeLayerError, digestRuntimeLayer, readRuntimeLayer, runtimeLayerHash, surveyRuntimeLayer } from './runtime-layer.js';
import type { BuildRuntimeLayers } from './runtime-layer-store.js';
import { type SlugInfo, SlugTooLargeError, packSlug } from './slug.js';
import { ArchiveLimitError, ArchiveTooLargeError, UnsafePathError, checkLinksInside, extractTar } from './tar-extract.js';
import { TarFormatError } from './tar-reader.js';

export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_STACK = 'paas-bookworm';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunBuildOptions {
  /** A directory holding the app's source (its `.git` is left out), or: */
  readonly sourceDir?: string;
  /** a tar stream of the source, plain or gzipped (e.g. `git archive` output). */
  readonly sourceTar?: Readable;
  /** Names of ours, absolute paths or git URLs; undefined: detect among nodejs, python, go, static, procfile (in that order). */
  readonly buildpacks?: readonly string[];
  /** The app's build cache, kept between builds; builds of one app must not run at once. */
  readonly cacheDir: string;
  /** Written into ENV_DIR, one file per key. */
  readonly configVars?: Readonly<Record<string, string>>;
  readonly stack?: string;
  /** The commit being built, as SOURCE_VERSION. */
  readonly commit?: string;
  /** Build output for the user (plain text); not ended by the build. */
  readonly output: Writable;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Where buildpacks run; default: host processes. */
  readonly environment?: BuildEnvironment;
  /** The platform's buildpacks; default: `buildpacks/` of this repository. */
  readonly buildpacksDir?: string;
  /** Platform-level build environment (PATH, NPM_CONFIG_REGISTRY, proxies). Config vars go to ENV_DIR instead. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the slug is written; default a new file in the temp dir. The caller owns it. */
  readonly slugFile?: string;
  readonly maxSlugBytes?: number;
  /** gzip level of the slug, 1 (fast) to 9 (small); default 1 (see packSlug). */
  readonly slugCompressionLevel?: number;
  /** Compressed pieces of earlier slugs, reused when the same bytes come again; shared by all apps. */
  readonly slugMemberCacheDir?: string;
  /** Cap on buildpack output forwarded to `output`. */
  readonly outputLimitBytes?: number;
  /** Accept `file://` buildpack URLs (tests, operators). */
  readonly allowFileUrls?: boolean;
  /** Which addresses buildpack git URLs may reach; public ones only by default. */
  readonly targets?: TargetPolicy;
  /** Parent of the per-build work dir; default the OS temp dir. */
  readonly workRoot?: string;
  /**
   * Called once the slug is packed, with the directory it was packed from, which it may
   * move away (the local runtime keeps it as the unpacked slug). What it leaves is removed
   * with the rest of the build dir. It must not throw.
   */
  readonly keepAppDir?: (slug: SlugInfo, appDir: string) => Promise<void>;
  /**
   * Where runtime layers are kept. With it, the runtime a buildpack declares (its
   * `runtime-layer` file) is stored once as a layer shared by every app and push that
   * makes the same one, and the slug holds only the rest; without it (or when no pack
   * declares one) the slug holds everything.
   */
  readonly runtimeLayers?: BuildRuntimeLayers;
}

/** The runtime layer a slug runs on. */
export interface BuiltRuntimeLayer {
  /** The stored layer file's sha256 (its id in the layer store). */
  readonly id: string;
  /** What it holds, e.g. `node-22.11.0+npm-10.9.0`. */
  readonly key: string;
  /** Its directories, relative to the app dir. */
  readonly paths: readonly string[];
  /** False when an earlier build had stored it already. */
  readonly packed: boolean;
}

export interface BuildpackUsed {
  readonly ref: string;
  /** What its detect step called it, e.g. `Node.js`. */
  readonly name: string;
}

export interface BuiltSlug extends SlugInfo {
  readonly file: string;
  /** The runtime layer the slug runs on; absent: the slug holds everything. */
  readonly runtimeLayer?: BuiltRuntimeLayer;
}

export type BuildResult =
  | {
      readonly status: 'succeeded';
      readonly processTypes: ProcessTypes;
      readonly buildpacks: readonly BuildpackUsed[];
      readonly slug: BuiltSlug;
      readonly stack: string;
      /** app.json from the root of the source, checked; undefined when there is none. */
      readonly appJson?: AppJson;
      readonly durationMs: number;
      /** How long each stage took, for the platform's logs. */
      readonly stagesMs: Readonly<Record<BuildStage, number>>;
    }
  | {
      readonly status: 'failed';
      readonly failure: BuildFailure;
      readonly buildpacks: readonly BuildpackUsed[];
      readonly durationMs: number;
      /** The underlying error for the platform's logs (never shown to the user). */
      readonly error?: unknown;
    };

export type BuildStage = 'prepare' | 'source' | 'fetch' | 'detect' | 'compile' | 'processTypes' | 'layer' | 'pack';

/** A classified failure raised by a step. */
class BuildStopped extends Error {
  readonly event: FailureEvent;

  constructor(event: FailureEvent) {
    super(event.kind);
    this.event = event;
  }
}

function validate(options: RunBuildOptions): void {
  if ((options.sourceDir === undefined) === (options.sourceTar === undefined)) {
    throw invalidParams('runBuild needs exactly one of sourceDir and sourceTar.');
  }
  const bad = Object.keys(options.configVars ?? {}).filter((key) => !isConfigKey(key));
  if (bad.length > 0) throw invalidParams(`Invalid config var keys: ${bad.map((key) => JSON.stringify(key)).join(', ')}.`);
}

class Build {
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
    this.work = await mkdtemp(join(this.options.workRoot ?? tmpdir(), 'paas-build-'));
    for (const name of ['app', 'env', 'buildpacks', 'home', 'tmp']) await mkdir(this.dir(name));
    await mkdir(this.options.cacheDir, { recursive: true });
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
  }

  async fetchBuildpacks(): Promise<PreparedBuildpack[]> {
    this.step = 'fetching buildpacks';
    const chosen = this.options.buildpacks ?? this.appJsonBuildpacks;
    const refs = chosen ?? PLATFORM_BUILDPACKS;
    if (chosen !== undefined) {
      this.log.step(`Using buildpack${refs.length === 1 ? '' : 's'}:`);
      refs.forEach((ref, index) => this.log.detail(`${String(index + 1)}. ${ref}`));
    }
    const prepared: PreparedBuildpack[] = [];
    for (const [index, value] of refs.entries()) {
      const sink = this.log.sink();
      try {
        const targets = this.options.targets ?? {};
        const ref = parseBuildpackRef(value, { allowFileUrls: this.options.allowFileUrls === true, targets });
        const dir = join(this.dir('buildpacks'), buildpackDirName(index, ref));
        await fetchBuildpack(ref, dir, {
          buildpacksDir: this.options.buildpacksDir ?? DEFAULT_BUILDPACKS_DIR,
          allowFileUrls: this.options.allowFileUrls === true,
          targets,
          home: this.dir('home'),
          path: this.options.env?.['PATH'] ?? DEFAULT_PATH,
          log: sink,
          signal: this.signal,
        });
        prepared.push({ ref: value, dir });
      } catch (error) {
        if (error instanceof BuildpackRefError) throw new BuildStopped({ kind: 'buildpack_unavailable', ref: value, reason: error.message });
        throw error;
      } finally {
        sink.end();
        await finished(sink);
      }
    }
    return prepared;
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
      mounts: [this.work, resolve(this.options.cacheDir)],
      signal: this.signal,
    };
  }

  async detect(context: BuildpackContext, packs: readonly PreparedBuildpack[]): Promise<PreparedBuildpack[]> {
    this.step = 'detecting buildpacks';
    if ((this.options.buildpacks ?? this.appJsonBuildpacks) !== undefined) {
      for (const pack of packs) {
        const name = await detectBuildpack(context, pack);
        if (name === undefined) throw new BuildStopped({ kind: 'buildpack_incompatible', buildpack: pack.ref });
        this.used.push({ ref: pack.ref, name });
      }
      return [...packs];
    }
    for (const pack of packs) {
      const name = await detectBuildpack(context, pack);
      if (name !== undefined) {
        this.used.push({ ref: pack.ref, name });
        return [pack];
      }
    }
    throw new BuildStopped({ kind: 'no_buildpack_detected', tried: packs.map((pack) => pack.ref) });
  }

  async compile(context: BuildpackContext, packs: readonly PreparedBuildpack[]): Promise<ProcessTypes[]> {
    const defaults: ProcessTypes[] = [];
    for (const [index, pack] of packs.entries()) {
      const name = this.used[index]?.name ?? pack.ref;
      this.step = `the ${pack.ref} compile step`;
      this.log.step(`${name} app detected`);
      try {
        await compileBuildpack(context, pack, packs.slice(0, index));
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        const { exitCode, signal } = error.result;
        throw new BuildStopped({ kind: 'compile_failed', buildpack: pack.ref, exitCode, signal, outputTail: this.log.tail() });
      }
    }
    for (const pack of packs) {
      this.step = `the ${pack.ref} release step`;
      try {
        defaults.push(await releaseBuildpack(context, pack));
      } catch (error) {
        if (error instanceof StepFailed) throw new BuildStopped({ kind: 'release_failed', buildpack: pack.ref, reason: error.message });
        throw error;
      }
    }
    return defaults;
  }

  /** app.json at the root of the source, if any; an invalid one stops the build before anything is released. */
  async readAppJson(): Promise<AppJson | undefined> {
    this.step = 'reading app.json';
    const text = await readFile(join(this.dir('app'), 'app.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      if (error.code === 'EISDIR') throw new BuildStopped({ kind: 'invalid_app_json', errors: ['app.json must be a file, not a directory'] });
      throw error;
    });
    if (text === undefined) return undefined;
    const parsed = parseAppJson(text);
    if (!parsed.ok) throw new BuildStopped({ kind: 'invalid_app_json', errors: parsed.errors });
    this.log.step('Reading app.json');
    if (parsed.manifest.buildpacks.length > 0) this.appJsonBuildpacks = parsed.manifest.buildpacks;
    return parsed.manifest;
  }

  async discoverProcessTypes(defaults: readonly ProcessTypes[]): Promise<ProcessTypes> {
    this.step = 'discovering process types';
    this.log.step('Discovering process types');
    let procfile: ProcessTypes | undefined;
    const text = await readFile(join(this.dir('app'), 'Procfile'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) {
      try {
        procfile = parseProcfile(text);
      } catch (error) {
        if (error instanceof PaasError) throw new BuildStopped({ kind: 'invalid_procfile', message: error.message });
        throw error;
      }
      this.log.detail(`Procfile declares types     -> ${Object.keys(procfile).join(', ') || '(none)'}`);
    }
    const fromPacks = mergeProcessTypes(undefined, defaults);
    if (Object.keys(fromPacks).length > 0) this.log.detail(`Default types for buildpack -> ${Object.keys(fromPacks).join(', ')}`);
    const types = mergeProcessTypes(procfile, defaults);
    if (Object.keys(types).length === 0) {
      // Heroku builds and releases such an app; it just runs nothing until it declares a process.
      this.log.error('Warning: this app declares no process types, so the release runs nothing.');
      this.log.error('Add a Procfile (e.g. `web: node server.js`) to start a process, and push again.');
    }
    if (Object.keys(types).length > MAX_PROCESS_TYPES) {
      throw new BuildStopped({
        kind: 'invalid_procfile',
        message: `The Procfile and the buildpacks' defaults declare ${String(Object.keys(types).length)} process types, more than ${String(MAX_PROCESS_TYPES)}. Keep at most ${String(MAX_PROCESS_TYPES)}.`,
      });
    }
    return types;
  }

  /** The packs' runtime layer, stored unless it is already; undefined: the slug holds everything. */
  async runtimeLayer(packs: readonly PreparedBuildpack[]): Promise<BuiltRuntimeLayer | undefined> {
    const store = this.options.runtimeLayers;
    if (store === undefined) return undefined;
    this.step = 'storing the runtime layer';
    const appDir = this.dir('app');
    let layer: RuntimeLayerDeclaration | undefined;
    try {
      layer = await readRuntimeLayer(packs.map((pack) => pack.dir), appDir);
    } catch (error) {
      if (!(error instanceof RuntimeLayerError)) throw error;
      // A pack's mistake costs only the sharing: the slug then holds its runtime itself.
      this.log.detail(`The buildpack's runtime-layer file is not usable (${error.message}); the runtime goes into the slug.`);
      return undefined;
    }
    if (layer === undefined) return undefined;
    await this.checkLinks();
    const survey = store.recall ? await surveyRuntimeLayer(appDir, layer, this.stack) : undefined;
    const recalled = survey === undefined ? undefined : await store.recall?.(survey);
    if (recalled !== undefined) {
      this.log.detail(`Runtime ${layer.key}: a shared layer, stored already`);
      return { id: recalled, key: layer.key, paths: layer.paths, packed: false };
    }
    const digest = await digestRuntimeLayer(appDir, layer, this.stack, this.signal);
    const found = await store.find(digest);
    if (found !== undefined) {
      if (survey !== undefined) await store.remember?.(survey, found);
      this.log.detail(`Runtime ${layer.key}: a shared layer, stored already`);
      return { id: found, key: layer.key, paths: layer.paths, packed: false };
    }
    const file = join(this.work, `runtime-layer-${randomUUID()}.tgz`);
    try {
      // Indexed by the digest of the bytes packed, not of those read before: a process of the
      // build that outlived its step could change the runtime in between, and the index is
      // what other apps' builds find a layer by.
      const packed = runtimeLayerHash(layer, this.stack);
      const info = await this.packTree(file, { only: layer.paths, tarHash: packed });
      const packedDigest = packed.digest('hex');
      if (packedDigest !== digest) this.log.detail('The runtime changed while it was stored; the layer is the one stored.');
      const id = await store.record(file, packedDigest);
      if (survey !== undefined) await store.remember?.(survey, id);
      this.log.detail(`Runtime ${layer.key}: a shared layer, stored (${formatBytes(info.size)})`);
      return { id, key: layer.key, paths: layer.paths, packed: true };
    } finally {
      await rm(file, { force: true });
    }
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

  async packTree(file: string, selection: { only?: readonly string[]; without?: readonly string[]; tarHash?: Hash }): Promise<SlugInfo> {
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

  async pack(runtimeLayer: BuiltRuntimeLayer | undefined): Promise<BuiltSlug> {
    this.step = 'compressing the slug';
    this.log.step('Compressing...');
    const file = this.options.slugFile ?? join(this.options.workRoot ?? tmpdir(), `paas-slug-${randomUUID()}.tgz`);
    const info = await this.packTree(file, runtimeLayer ? { without: runtimeLayer.paths } : {});
    this.log.detail(`Done: ${formatBytes(info.size)}`);
    if (runtimeLayer) {
      // What may be kept as the unpacked slug is the app layer alone: its runtime lives in the layer.
      for (const [index, path] of runtimeLayer.paths.entries()) await rename(join(this.dir('app'), path), join(this.work, `layer-copy-${String(index)}`));
    }
    return { ...info, file, ...(runtimeLayer ? { runtimeLayer } : {}) };
  }
}

/**
 * Builds an app into a slug with classic buildpacks: unpack the source into a fresh
 * build dir, detect, compile each pack (earlier packs' `export` files sourced),
 * collect process types (the Procfile wins), pack the slug. Build output goes to
 * `options.output`; a failure comes back as classified data, printed as ` !     `
 * lines, never as a thrown error (only invalid options throw).
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildResult> {
  validate(options);
  // Take the stream before the first await: node discards the output of a child
  // process (`git archive`) that exits while nobody listens to its stdout.
  const source = options.sourceTar === undefined ? undefined : takeStream(options.sourceTar);
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const build = new Build(source === undefined ? options : { ...options, sourceTar: source }, signal);
  const stagesMs: Record<BuildStage, number> = { prepare: 0, source: 0, fetch: 0, detect: 0, compile: 0, processTypes: 0, layer: 0, pack: 0 };
  const timed = async <T>(stage: BuildStage, run: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    try {
      return await run();
    } finally {
      stagesMs[stage] = Math.round(performance.now() - began);
    }
  };
  try {
    await timed('prepare', () => build.prepare());
    build.log.step(`Building on the ${build.stack} stack`);
    await timed('source', () => build.unpackSource());
    const appJson = await build.readAppJson();
    const fetched = await timed('fetch', () => build.fetchBuildpacks());
    const context = build.context();
    await context.environment.claim?.(context.mounts);
    const packs = await timed('detect', () => build.detect(context, fetched));
    const defaults = await timed('compile', () => build.compile(context, packs));
    const processTypes = await timed('processTypes', () => build.discoverProcessTypes(defaults));
    const runtimeLayer = await timed('layer', () => build.runtimeLayer(packs));
    const slug = await timed('pack', () => build.pack(runtimeLayer));
    await options.keepAppDir?.(slug, build.dir('app'));
    return { status: 'succeeded', processTypes, buildpacks: build.used, slug, stack: build.stack, ...(appJson ? { appJson } : {}), durationMs: Date.now() - started, stagesMs };
  } catch (error) {
    let event: FailureEvent;
    if (timeout.aborted) event = { kind: 'build_timeout', timeoutMs, step: build.step };
    else if (signal.aborted) event = { kind: 'build_canceled', step: build.step };
    else if (error instanceof BuildStopped) event = error.event;
    else if (isOutOfSpace(error)) event = { kind: 'out_of_space', step: build.step };
    else event = { kind: 'internal_error', step: build.step };
    const failure = classifyBuildFailure(event);
    build.log.lines(formatBuildFailure(failure));
    const result: BuildResult = { status: 'failed', failure, buildpacks: build.used, durationMs: Date.now() - started };
    return event.kind === 'internal_error' ? { ...result, error } : result;
  } finally {
    if (build.work !== '') {
      // A leftover temp dir is not worth failing a finished build for; rm already retries.
      await rm(build.work, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }
}
