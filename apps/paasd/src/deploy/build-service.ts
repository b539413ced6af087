import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';

import { runBuild, runtimeLayersFor } from '@paas/builder';
import type { BuildEnvironment, RuntimeLayerStore, SlugStore } from '@paas/builder';
import { forReviewApp } from '@paas/core';
import type { AppJson, Release, TargetPolicy } from '@paas/core';
import type { BuildRecord, Store } from '@paas/store';

import type { Logger } from '../logger.js';
import { webUrl } from '../resources.js';
import type { AppLocks } from './app-locks.js';
import { appJsonConfig, runPostdeployOnce } from './app-json-setup.js';
import type { RunOneOff } from './app-json-setup.js';

export interface BuildRequest {
  readonly app: string;
  readonly actor: string;
  /** A tar (plain or gzipped) of the source tree. */
  readonly source: Readable;
  readonly commit: string | null;
  /** Build output for the user; not ended here. */
  readonly output: Writable;
  readonly signal: AbortSignal;
  /** Checked once the build lock is held; a message refuses the build. */
  readonly precondition?: () => Promise<string | undefined>;
  /**
   * The lock is held past the build until this settles: a push's ref moves only after
   * its hook exits, and the next push must see it moved.
   */
  readonly holdLockUntil?: Promise<unknown>;
  /** A review app's build: app.json's `environments.review` applies. */
  readonly review?: boolean;
}

/** Longest a finished build keeps its app locked waiting for `holdLockUntil`. */
const LOCK_HOLD_CAP_MS = 30_000;

export interface BuildOutcome {
  readonly ok: boolean;
  readonly buildId: string;
  readonly release?: Release;
  /** The app.json the build read, as it applied (review overrides merged). */
  readonly appJson?: AppJson;
}

export interface BuildServiceDeps {
  readonly store: Store;
  readonly slugs: SlugStore;
  /** Where runtime layers are kept; without it every slug holds its runtime. */
  readonly runtimeLayers?: Pick<RuntimeLayerStore, 'find' | 'record' | 'recall' | 'remember'>;
  readonly locks: AppLocks;
  /** Takes the new release live (release phase, boot, router switch). */
  readonly deployer: { deploy(app: string, version: number, say: (line: string) => void): Promise<{ ok: boolean; message?: string }> };
  readonly logger: Logger;
  /** A line in the app's own log stream (`paas[build]`). */
  readonly appLog?: (app: string, process: string, line: string) => void;
  readonly dataDir: string;
  readonly urls: { domain: string; routerPort: number };
  /** Where buildpacks run; resolved on first use (the stack image may have to be made). */
  readonly environment: (output: Writable, app: string) => Promise<{ environment: BuildEnvironment; stack: string }>;
  readonly buildpacksDir?: string;
  readonly timeoutMs?: number;
  /** Which addresses buildpack git URLs may reach. */
  readonly targets?: TargetPolicy;
  /**
   * The runtime's use for the tree a slug was packed from (the local driver keeps it as the
   * unpacked slug, so the deploy does not unpack what was just packed); see RuntimeDriver.
   */
  readonly seedUnpacked?: (checksum: string, dir: string) => Promise<boolean>;
  /** Likewise for a runtime layer the build unpacked from the bytes it packed. */
  readonly seedUnpackedLayer?: (checksum: string, dir: string) => Promise<boolean>;
  /** One-offs of the app's release, for app.json's postdeploy script. */
  readonly runOneOff?: RunOneOff;
}

/** The builder's hook, which must not throw: a seed that fails only means an unpack later. */
function keepAppDir(seed: (checksum: string, dir: string) => Promise<boolean>, log: Logger) {
  return async (slug: { sha256: string }, dir: string): Promise<void> => {
    try {
      await seed(slug.sha256, dir);
    } catch (error) {
      log.warn({ err: error, slug: slug.sha256 }, 'built tree not kept as the unpacked slug');
    }
  };
}

/** The builder's hook for a runtime layer's unpacked files; like keepAppDir, it must not throw. */
function keepLayerDir(seed: (checksum: string, dir: string) => Promise<boolean>, log: Logger) {
  return async (id: string, dir: string): Promise<void> => {
    try {
      await seed(id, dir);
    } catch (error) {
      log.warn({ err: error, layer: id }, 'unpacked runtime layer not kept');
    }
  };
}

/** Keeps what the user saw, to store with the build; capped like the build log itself. */
class Transcript {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly limit = 2 * 1024 * 1024) {}
  add(text: string): void {
    if (this.size >= this.limit) return;
    const piece = text.slice(0, this.limit - this.size);
    this.chunks.push(piece);
    this.size += piece.length;
  }
  toString(): string {
    return this.chunks.join('') + (this.size >= this.limit ? '\n[build output truncated]\n' : '');
  }
}

export function cacheDirOf(dataDir: string, app: string): string {
  return join(dataDir, 'cache', app);
}

/**
 * Push (or upload) → build → slug → release. The previous release keeps serving
 * until a new one exists; a failed build changes nothing but its own record.
 */
export function createBuildService(deps: BuildServiceDeps) {
  const { store, logger } = deps;

  const appLog = (app: string, line: string): void => deps.appLog?.(app, 'build', line);
  /** Transcripts of builds under way: their output can be read before it is stored. */
  const running = new Map<string, Transcript>();

  async function build(request: BuildRequest, record: BuildRecord): Promise<BuildOutcome> {
    const app = store.apps.require(request.app);
    appLog(app.name, `Build started by ${request.actor}${request.commit ? ` (commit ${request.commit.slice(0, 7)})` : ''}`);
    const outcome = await buildNow(request, record, app);
    // The push is answered with this outcome: what it recorded must be on disk first.
    await store.durable();
    appLog(app.name, outcome.ok ? `Build succeeded${outcome.release ? `: v${String(outcome.release.version)}` : ''}` : 'Build failed: see paas builds:output for what happened');
    return outcome;
  }

  async function buildNow(request: BuildRequest, record: BuildRecord, app: ReturnType<Store['apps']['require']>): Promise<BuildOutcome> {
    const transcript = new Transcript();
    running.set(record.id, transcript);
    const log = logger.child({ app: app.name, build: record.id });
    log.info({ commit: request.commit }, 'build started');
    const work = join(deps.dataDir, 'tmp');
    await mkdir(work, { recursive: true });
    const slugFile = join(work, `slug-${record.id}.tgz`);
    // Everything the buildpacks print reaches the user and the stored transcript, in order.
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        // No waiting on the pusher's socket: the builder caps what it forwards, and a
        // synchronous callback keeps the transcript complete when the build ends.
        transcript.add(chunk.toString('utf8'));
        request.output.write(chunk);
        callback();
      },
    });
    const say = (text: string): void => {
      output.write(text);
    };
    try {
      const { environment, stack } = await deps.environment(output, app.name);
      const cacheDir = cacheDirOf(deps.dataDir, app.name);
      await mkdir(cacheDir, { recursive: true });
      const result = await runBuild({
        sourceTar: request.source,
        ...(app.buildpacks.length > 0 ? { buildpacks: app.buildpacks } : {}),
        cacheDir,
        configVars: store.deploys.configOf(app),
        stack,
        ...(request.commit ? { commit: request.commit } : {}),
        output,
        signal: request.signal,
        environment,
        slugFile,
        slugMemberCacheDir: join(deps.dataDir, 'cache-slug-members'),
        workRoot: work,
        // One mount for the build's dirs and its cache: the buildpacks link their runtimes from the cache.
        workInCacheDir: true,
        ...(deps.seedUnpacked ? { keepAppDir: keepAppDir(deps.seedUnpacked, log) } : {}),
        ...(deps.seedUnpackedLayer ? { keepLayerDir: keepLayerDir(deps.seedUnpackedLayer, log) } : {}),
        ...(deps.runtimeLayers ? { runtimeLayers: runtimeLayersFor(deps.runtimeLayers, app.id) } : {}),
        ...(deps.buildpacksDir ? { buildpacksDir: deps.buildpacksDir } : {}),
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
        ...(deps.targets ? { targets: deps.targets } : {}),
      });
      if (result.status === 'failed') {
        // The builder has already told the user what failed, why, and what to do.
        log.warn({ kind: result.failure.kind, err: result.error }, 'build failed');
        store.builds.finish(record.id, { status: 'failed', output: transcript.toString() });
        return { ok: false, buildId: record.id };
      }
      const manifest = request.review === true && result.appJson ? forReviewApp(result.appJson) : result.appJson;
      const setup = manifest ? appJsonConfig(store, app.name, manifest) : undefined;
      for (const line of setup?.lines ?? []) say(`${line}\n`);
      if (setup?.refused) {
        store.builds.finish(record.id, { status: 'failed', output: transcript.toString(), appJson: manifest });
        return { ok: false, buildId: record.id };
      }
      const storing = performance.now();
      const stored = await deps.slugs.put(result.slug.file);
      const storeMs = Math.round(performance.now() - storing);
      const slug = store.slugs.create({
        appId: app.id,
        checksum: stored.id,
        processTypes: result.processTypes,
        buildpacks: result.buildpacks.map((pack) => pack.ref),
        commit: request.commit,
        size: stored.size,
        stack: result.stack,
        runtimeLayer: result.slug.runtimeLayer?.id ?? null,
      });
      const release = store.deploys.createRelease(app.name, {
        slugId: slug.id,
        description: request.commit ? `Deploy ${request.commit.slice(0, 7)}` : 'Deploy',
        actor: request.actor,
        ...(setup?.patch ? { configPatch: setup.patch } : {}),
        ...(manifest ? { initialFormation: manifest.formation } : {}),
      });
      say(`-----> Launching v${String(release.version)}...\n`);
      const deploying = performance.now();
      const deployed = await deps.deployer.deploy(app.name, release.version, (line) => say(`       ${line}\n`));
      const deployMs = Math.round(performance.now() - deploying);
      if (!deployed.ok) {
        say(` !     ${deployed.message ?? `v${String(release.version)} failed to start.`}\n`);
        store.builds.finish(record.id, { status: 'failed', output: transcript.toString(), slugId: slug.id, releaseId: release.id, appJson: manifest });
        log.warn({ release: release.version }, 'release failed to start');
        return { ok: false, buildId: record.id, release };
      }
      say(`-----> Released v${String(release.version)}${deployed.message ? `: ${deployed.message}` : ''}\n`);
      if (manifest) await runPostdeployOnce({ store, runOneOff: deps.runOneOff }, app.name, release.version, manifest, say);
      say(`       ${webUrl(deps.urls, app.name)} deployed to paas\n`);
      store.builds.finish(record.id, { status: 'succeeded', output: transcript.toString(), slugId: slug.id, releaseId: release.id, appJson: manifest });
      log.info({ release: release.version, slug: stored.id, ms: result.durationMs, stagesMs: { ...result.stagesMs, store: storeMs, deploy: deployMs } }, 'build succeeded');
      return { ok: true, buildId: record.id, release, ...(manifest ? { appJson: manifest } : {}) };
    } catch (error) {
      log.error({ err: error }, 'build crashed');
      say(' !     The build stopped because of an error in paas itself; it has been logged. Your app was not changed.\n');
      store.builds.finish(record.id, { status: 'failed', output: transcript.toString() });
      return { ok: false, buildId: record.id };
    } finally {
      running.delete(record.id);
      await rm(slugFile, { force: true });
    }
  }

  async function queue(request: BuildRequest, record: BuildRecord): Promise<BuildOutcome> {
    let unlock: () => void;
    try {
      unlock = await deps.locks.acquire(request.app, {
        signal: request.signal,
        onWait: () => request.output.write(`-----> Another build of ${request.app} is running; this one starts when it ends...\n`),
      });
    } catch {
      store.builds.finish(record.id, { status: 'failed', output: ' !     The build was cancelled before it started.\n' });
      return { ok: false, buildId: record.id };
    }
    try {
      const refusal = await request.precondition?.();
      if (refusal !== undefined) {
        request.output.write(refusal);
        store.builds.finish(record.id, { status: 'failed', output: refusal });
        return { ok: false, buildId: record.id };
      }
      return await build(request, record);
    } finally {
      // Not awaited: the caller's answer (and so git's ref update) must not wait on it.
      const cap = new Promise((resolve) => setTimeout(resolve, LOCK_HOLD_CAP_MS).unref());
      void Promise.race([request.holdLockUntil?.catch(() => undefined) ?? Promise.resolve(), cap]).then(unlock);
    }
  }

  return {
    /**
     * Records the build at once (pending), then waits for the app's build lock, saying
     * so, and builds. `done` never rejects.
     */
    start(request: BuildRequest): { buildId: string; done: Promise<BuildOutcome> } {
      const app = store.apps.require(request.app);
      const record = store.builds.create({ appId: app.id, actor: request.actor, sourceCommit: request.commit });
      return { buildId: record.id, done: queue(request, record) };
    },
    /** What a build has printed so far, while it runs; undefined once it has ended (then it is stored). */
    liveOutput: (buildId: string): string | undefined => running.get(buildId)?.toString(),
    purgeCache: async (app: string) => rm(cacheDirOf(deps.dataDir, app), { recursive: true, force: true }),
  };
}

export type BuildService = ReturnType<typeof createBuildService>;
