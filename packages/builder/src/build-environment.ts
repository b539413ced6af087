import type { Writable } from 'node:stream';

/**
 * Where buildpack scripts run. The builder never spawns a buildpack itself: it asks
 * a build environment to run a command and waits for it. `createHostEnvironment()`
 * runs commands as host processes; a container environment (the stack image, later)
 * implements the same method by running the command inside a container that mounts
 * `mounts` at the same paths.
 */
export interface RunOptions {
  /** Working directory of the command (a host path, also inside `mounts`). */
  readonly cwd: string;
  /** The whole environment of the command: nothing is inherited from the caller. */
  readonly env: Readonly<Record<string, string>>;
  /** Receive the command's output; they are not ended when the command ends. */
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborting kills the command and everything it started. */
  readonly signal?: AbortSignal;
  /** Host directories the command reads and writes (build, cache, env and buildpack dirs). */
  readonly mounts?: readonly string[];
  /**
   * The command needs no network (a buildpack's detect and release read the app's files
   * only): a container environment gives it none, which starts it ~0.1 s sooner.
   */
  readonly offline?: boolean;
}

export interface RunResult {
  /** The exit status, or null when a signal ended the command. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BuildEnvironment {
  /** A short name for build output and logs, e.g. `host` or `container`. */
  readonly name: string;
  /**
   * Runs `command` with `args` (an argument array: no shell parses them). Resolves when
   * the command and everything it started are gone; rejects only when the command
   * could not be started at all.
   */
  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
  /**
   * Optional: makes `dirs` (the build's mounts) the build steps' own, when they run as
   * another user than the builder; called once before the first step.
   */
  claim?(dirs: readonly string[]): Promise<void>;
  /**
   * Optional: one place for all of a build's steps (detect, compile, release), opened once
   * before the first and closed after the last. A container environment starts one
   * container for the build instead of one a step (~0.3 s each). Its steps keep the
   * contract of `run`: each resolves once what it started is gone.
   */
  open?(options: SessionOptions): Promise<BuildSession>;
}

export interface SessionOptions {
  /** Host directories the steps read and write (the same for every step of a build). */
  readonly mounts: readonly string[];
  /** Aborting ends the session and every step in it. */
  readonly signal: AbortSignal;
}

export interface BuildSession extends BuildEnvironment {
  /** Ends whatever is still running and frees the session; safe to call twice. */
  close(): Promise<void>;
}
