import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';

import { type AppJson, MAX_PROCESS_TYPES, type ProcessTypes, PaasError, parseAppJson, parseProcfile } from '@paas/core';

import { BuildStopped } from './build-stopped.js';
import type { Build } from './build-workspace.js';
import { BuildpackRefError, DEFAULT_BUILDPACKS_DIR, PLATFORM_BUILDPACKS, buildpackDirName, fetchBuildpack, parseBuildpackRef } from './buildpack-ref.js';
import { type BuildpackContext, type PreparedBuildpack, StepFailed, compileBuildpack, detectBuildpack, releaseBuildpack } from './buildpack-run.js';
import { DEFAULT_PATH } from './build-types.js';
import { mergeProcessTypes } from './process-types.js';

// The build steps that run buildpacks and read what they and the app declare.

export async function fetchBuildpacks(build: Build): Promise<PreparedBuildpack[]> {
  build.step = 'fetching buildpacks';
  const chosen = build.options.buildpacks ?? build.appJsonBuildpacks;
  const refs = chosen ?? PLATFORM_BUILDPACKS;
  if (chosen !== undefined) {
    build.log.step(`Using buildpack${refs.length === 1 ? '' : 's'}:`);
    refs.forEach((ref, index) => build.log.detail(`${String(index + 1)}. ${ref}`));
  }
  // All at once: one after another, the platform's five built-in copies took 50-300 ms of every push.
  const fetched = await Promise.allSettled(
    refs.map(async (value, index): Promise<PreparedBuildpack> => {
      const sink = build.log.sink();
      try {
        const targets = build.options.targets ?? {};
        const ref = parseBuildpackRef(value, { allowFileUrls: build.options.allowFileUrls === true, targets });
        const dir = join(build.dir('buildpacks'), buildpackDirName(index, ref));
        await fetchBuildpack(ref, dir, {
          buildpacksDir: build.options.buildpacksDir ?? DEFAULT_BUILDPACKS_DIR,
          allowFileUrls: build.options.allowFileUrls === true,
          targets,
          home: build.dir('home'),
          path: build.options.env?.['PATH'] ?? DEFAULT_PATH,
          log: sink,
          signal: build.signal,
        });
        return { ref: value, dir };
      } finally {
        sink.end();
        await finished(sink);
      }
    }),
  );
  // The first buildpack in the app's order that could not be had is the one reported.
  return fetched.map((outcome, index) => {
    if (outcome.status === 'fulfilled') return outcome.value;
    const error: unknown = outcome.reason;
    if (error instanceof BuildpackRefError) throw new BuildStopped({ kind: 'buildpack_unavailable', ref: refs[index] ?? '', reason: error.message });
    throw error;
  });
}

export async function detectBuildpacks(build: Build, context: BuildpackContext, packs: readonly PreparedBuildpack[]): Promise<PreparedBuildpack[]> {
  build.step = 'detecting buildpacks';
  if ((build.options.buildpacks ?? build.appJsonBuildpacks) !== undefined) {
    for (const pack of packs) {
      const name = await detectBuildpack(context, pack);
      if (name === undefined) throw new BuildStopped({ kind: 'buildpack_incompatible', buildpack: pack.ref });
      build.used.push({ ref: pack.ref, name });
    }
    return [...packs];
  }
  for (const pack of packs) {
    const name = await detectBuildpack(context, pack);
    if (name !== undefined) {
      build.used.push({ ref: pack.ref, name });
      return [pack];
    }
  }
  throw new BuildStopped({ kind: 'no_buildpack_detected', tried: packs.map((pack) => pack.ref) });
}

export async function compileBuildpacks(build: Build, context: BuildpackContext, packs: readonly PreparedBuildpack[]): Promise<ProcessTypes[]> {
  const defaults: ProcessTypes[] = [];
  for (const [index, pack] of packs.entries()) {
    const name = build.used[index]?.name ?? pack.ref;
    build.step = `the ${pack.ref} compile step`;
    build.log.step(`${name} app detected`);
    try {
      await compileBuildpack(context, pack, packs.slice(0, index));
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      const { exitCode, signal } = error.result;
      throw new BuildStopped({ kind: 'compile_failed', buildpack: pack.ref, exitCode, signal, outputTail: build.log.tail() });
    }
  }
  for (const pack of packs) {
    build.step = `the ${pack.ref} release step`;
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
export async function readAppJson(build: Build): Promise<AppJson | undefined> {
  build.step = 'reading app.json';
  const text = await readFile(join(build.dir('app'), 'app.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    if (error.code === 'EISDIR') throw new BuildStopped({ kind: 'invalid_app_json', errors: ['app.json must be a file, not a directory'] });
    throw error;
  });
  if (text === undefined) return undefined;
  const parsed = parseAppJson(text);
  if (!parsed.ok) throw new BuildStopped({ kind: 'invalid_app_json', errors: parsed.errors });
  build.log.step('Reading app.json');
  if (parsed.manifest.buildpacks.length > 0) build.appJsonBuildpacks = parsed.manifest.buildpacks;
  return parsed.manifest;
}

export async function discoverProcessTypes(build: Build, defaults: readonly ProcessTypes[]): Promise<ProcessTypes> {
  build.step = 'discovering process types';
  build.log.step('Discovering process types');
  let procfile: ProcessTypes | undefined;
  const text = await readFile(join(build.dir('app'), 'Procfile'), 'utf8').catch((error: NodeJS.ErrnoException) => {
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
    build.log.detail(`Procfile declares types     -> ${Object.keys(procfile).join(', ') || '(none)'}`);
  }
  const fromPacks = mergeProcessTypes(undefined, defaults);
  if (Object.keys(fromPacks).length > 0) build.log.detail(`Default types for buildpack -> ${Object.keys(fromPacks).join(', ')}`);
  const types = mergeProcessTypes(procfile, defaults);
  if (Object.keys(types).length === 0) {
    // Heroku builds and releases such an app; it just runs nothing until it declares a process.
    build.log.error('Warning: this app declares no process types, so the release runs nothing.');
    build.log.error('Add a Procfile (e.g. `web: node server.js`) to start a process, and push again.');
  }
  if (Object.keys(types).length > MAX_PROCESS_TYPES) {
    throw new BuildStopped({
      kind: 'invalid_procfile',
      message: `The Procfile and the buildpacks' defaults declare ${String(Object.keys(types).length)} process types, more than ${String(MAX_PROCESS_TYPES)}. Keep at most ${String(MAX_PROCESS_TYPES)}.`,
    });
  }
  return types;
}
