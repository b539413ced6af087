import { access, constants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

import type { ProcessTypes } from '@paas/core';

import type { BuildEnvironment, RunResult } from './build-environment.js';
import type { BuildLog } from './build-log.js';
import { captureOutput } from './bounded-capture.js';
import { parseReleaseOutput } from './process-types.js';

/** A buildpack copied into the build's work dir, ready to run. */
export interface PreparedBuildpack {
  /** What the app asked for (`nodejs`, a path, a URL). */
  readonly ref: string;
  readonly dir: string;
}

/** The directories and settings every buildpack command of one build shares. */
export interface BuildpackContext {
  readonly environment: BuildEnvironment;
  readonly log: BuildLog;
  readonly appDir: string;
  readonly cacheDir: string;
  readonly envDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly string[];
  readonly signal: AbortSignal;
}

export class StepFailed extends Error {
  readonly result: RunResult;

  constructor(message: string, result: RunResult) {
    super(message);
    this.name = 'StepFailed';
    this.result = result;
  }
}

/**
 * Sources the `export` files of the buildpacks before it (classic multi-buildpack
 * behaviour), then runs the command. A constant script: paths come in as arguments.
 */
const SOURCE_EXPORTS_THEN_EXEC =
  '__paas_n=$1; shift; __paas_files=("${@:1:__paas_n}"); shift "$__paas_n"; __paas_cmd=("$@"); ' +
  'for __paas_f in "${__paas_files[@]}"; do . "$__paas_f"; done; exec "${__paas_cmd[@]}"';

const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    // Not there (or not reachable): both mean "absent" to a caller deciding what to run.
    return false;
  }
}

async function run(
  context: BuildpackContext,
  command: string,
  args: readonly string[],
  stdout: Writable,
  stderr: Writable,
  offline = false,
): Promise<RunResult> {
  const result = await context.environment.run(command, args, {
    cwd: context.appDir,
    env: context.env,
    stdout,
    stderr,
    signal: context.signal,
    mounts: context.mounts,
    offline,
  });
  context.signal.throwIfAborted();
  return result;
}

/** Cleans up a detect step's first line into a display name. */
function displayName(output: string, fallback: string): string {
  const line = (output.split('\n')[0] ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 60);
  return line === '' ? fallback : line;
}

/** Runs `bin/detect BUILD_DIR`: the pack's name when it says yes, undefined when it says no. */
export async function detectBuildpack(context: BuildpackContext, pack: PreparedBuildpack): Promise<string | undefined> {
  const detect = join(pack.dir, 'bin', 'detect');
  const fallback = basename(pack.ref).replace(/\.git$/, '');
  if (!(await exists(detect))) return fallback;
  const stdout = captureOutput(1024);
  const result = await run(context, detect, [context.appDir], stdout.stream, discard(), true);
  return result.exitCode === 0 ? displayName(stdout.text(), fallback) : undefined;
}

/** Runs `bin/compile BUILD_DIR CACHE_DIR ENV_DIR` with the earlier packs' exports sourced. */
export async function compileBuildpack(
  context: BuildpackContext,
  pack: PreparedBuildpack,
  earlier: readonly PreparedBuildpack[],
): Promise<void> {
  const exportFiles: string[] = [];
  for (const previous of earlier) {
    const file = join(previous.dir, 'export');
    if (await exists(file)) exportFiles.push(file);
  }
  const compile = join(pack.dir, 'bin', 'compile');
  const sink = context.log.sink();
  let result: RunResult;
  try {
    result = await run(
      context,
      'bash',
      ['-c', SOURCE_EXPORTS_THEN_EXEC, 'paas-compile', String(exportFiles.length), ...exportFiles, compile, context.appDir, context.cacheDir, context.envDir],
      sink,
      sink,
    );
  } finally {
    sink.end();
    await finished(sink);
  }
  if (result.exitCode !== 0) throw new StepFailed('compile failed', result);
}

/** Runs `bin/release BUILD_DIR` and reads its default process types (none without a release script). */
export async function releaseBuildpack(context: BuildpackContext, pack: PreparedBuildpack): Promise<ProcessTypes> {
  const release = join(pack.dir, 'bin', 'release');
  if (!(await exists(release))) return {};
  const stdout = captureOutput(256 * 1024);
  const sink = context.log.sink();
  let result: RunResult;
  try {
    result = await run(context, release, [context.appDir], stdout.stream, sink, true);
  } finally {
    sink.end();
    await finished(sink);
  }
  if (result.exitCode !== 0) {
    throw new StepFailed(`bin/release exited with ${result.exitCode === null ? `signal ${String(result.signal)}` : `status ${String(result.exitCode)}`}`, result);
  }
  if (stdout.overflowed) throw new StepFailed('bin/release printed more than 256 KB', result);
  try {
    return await parseReleaseOutput(stdout.text());
  } catch (error) {
    throw new StepFailed((error as Error).message, result);
  }
}
