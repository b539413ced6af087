import type { Readable, Writable } from 'node:stream';

import type { AppJson, ProcessTypes, TargetPolicy } from '@paas/core';

import type { BuildEnvironment } from './build-environment.js';
import type { BuildFailure } from './build-failure.js';
import type { BuildRuntimeLayers } from './runtime-layer-store.js';
import type { SlugInfo } from './slug.js';

export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_STACK = 'paas-bookworm';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

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
  /** Parent of the per-build work dir (and of the default slug file); default the OS temp dir. */
  readonly workRoot?: string;
  /**
   * Makes the per-build work dir inside the cache dir (`.paas-build-*`, a name buildpacks'
   * `*` globs skip) instead of under `workRoot`, so the build steps get one mount holding
   * both: a buildpack can then hard-link from its cache into the app. Two mounts (the
   * sandbox's and a container's binds) are two filesystems to link(2), so it would copy.
   */
  readonly workInCacheDir?: boolean;
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
  /**
   * With it, a runtime layer this build reads in full (the app's first build on it) is also
   * unpacked from the very bytes packed, by the builder, into a directory of its own, which
   * is handed here with the layer's id; the hook may move it away (the local runtime keeps
   * it as the unpacked layer, so the deploy does not unpack the layer file again). What it
   * leaves is removed. It must not throw.
   */
  readonly keepLayerDir?: (id: string, dir: string) => Promise<void>;
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

