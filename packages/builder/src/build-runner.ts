import { rm } from 'node:fs/promises';

import { invalidParams, isConfigKey, isOutOfSpace } from '@paas/core';

import type { BuildSession } from './build-environment.js';

import { type FailureEvent, classifyBuildFailure, formatBuildFailure } from './build-failure.js';
import { BuildStopped } from './build-stopped.js';
import { DEFAULT_BUILD_TIMEOUT_MS, type BuildResult, type BuildStage, type RunBuildOptions } from './build-types.js';
import { Build } from './build-workspace.js';
import { compileBuildpacks, detectBuildpacks, discoverProcessTypes, fetchBuildpacks, readAppJson } from './buildpack-steps.js';
import { packAppSlug, storeRuntimeLayer } from './slug-layers.js';
import { takeStream } from './source-stream.js';

function validate(options: RunBuildOptions): void {
  if ((options.sourceDir === undefined) === (options.sourceTar === undefined)) {
    throw invalidParams('runBuild needs exactly one of sourceDir and sourceTar.');
  }
  const bad = Object.keys(options.configVars ?? {}).filter((key) => !isConfigKey(key));
  if (bad.length > 0) throw invalidParams(`Invalid config var keys: ${bad.map((key) => JSON.stringify(key)).join(', ')}.`);
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
  let session: Promise<BuildSession> | undefined;
  try {
    await timed('prepare', () => build.prepare());
    const context = build.context();
    // Opened while the source is unpacked and the buildpacks fetched (a container takes ~0.3 s to start).
    session = context.environment.open?.({ mounts: context.mounts, signal });
    session?.catch(() => undefined); // a build that stops sooner only closes it (finally)
    build.log.step(`Building on the ${build.stack} stack`);
    await timed('source', () => build.unpackSource());
    const appJson = await readAppJson(build);
    const fetched = await timed('fetch', () => fetchBuildpacks(build));
    await context.environment.claim?.(context.mounts);
    let steps = context;
    const packs = await timed('detect', async () => {
      if (session !== undefined) {
        build.step = 'starting the build environment';
        steps = { ...context, environment: await session };
      }
      return detectBuildpacks(build, steps, fetched);
    });
    const defaults = await timed('compile', () => compileBuildpacks(build, steps, packs));
    // Removed while the runtime layer and the slug are read (~0.1 s): each step killed what it left running.
    if (session !== undefined) void (await session).close();
    const processTypes = await timed('processTypes', () => discoverProcessTypes(build, defaults));
    const runtimeLayer = await timed('layer', () => storeRuntimeLayer(build, packs));
    const slug = await timed('pack', () => packAppSlug(build, runtimeLayer));
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
    await session?.then((opened) => opened.close(), () => undefined);
    if (build.work !== '') {
      // A leftover temp dir is not worth failing a finished build for; rm already retries.
      await rm(build.work, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }
}
