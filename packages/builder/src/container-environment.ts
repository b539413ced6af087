import type { Writable } from 'node:stream';

import type Docker from 'dockerode';

import type { BuildEnvironment, BuildSession, RunOptions, RunResult, SessionOptions } from './build-environment.js';

export interface ContainerEnvironmentOptions {
  readonly docker: Docker;
  /** The stack image builds run in. */
  readonly image: string;
  /** Memory cap of a build step, bytes (no swap): a build must not starve running apps. */
  readonly memoryBytes?: number;
  /** CPU cap of a build step, in CPUs. */
  readonly cpus?: number;
  readonly pidsLimit?: number;
  /** Labels to find build containers by (e.g. to clean up after a crash). */
  readonly labels?: Readonly<Record<string, string>>;
}

export const DEFAULT_BUILD_MEMORY_BYTES = 2 * 1024 ** 3;
export const DEFAULT_BUILD_CPUS = 1;
export const BUILD_CONTAINER_LABEL = 'paas.build';

/**
 * A step in a session's container: the command, then every process left in the container
 * is killed (`kill -1` spares only this shell and PID 1, the container's keeper), so a step
 * ends with what it started, as a container of its own did. Without it, a daemon a step
 * left behind would hold the exec's output open (the engine waits for it) and run on into
 * the next step and the packing of the slug.
 */
const STEP_THEN_KILL_LEFTOVERS = '"$@"; status=$?; kill -KILL -1 2>/dev/null; exit "$status"';

/**
 * Runs each build command in a fresh container of the stack image. The build, cache,
 * env and buildpack directories are bind-mounted at the same paths they have on the
 * host, so the builder needs no path translation. A build opens a session instead: one
 * container for all its steps, each step an exec in it.
 */
export function createContainerEnvironment(options: ContainerEnvironmentOptions): BuildEnvironment {
  const { docker } = options;
  return {
    name: 'container',
    open: (session) => openContainerSession(options, session),
    async run(command, args, run: RunOptions): Promise<RunResult> {
      const container = await docker.createContainer({
        Image: options.image,
        Cmd: [command, ...args],
        Env: Object.entries(run.env).map(([key, value]) => `${key}=${value}`),
        WorkingDir: run.cwd,
        Labels: { [BUILD_CONTAINER_LABEL]: 'true', ...options.labels },
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          ...mountsAndLimits(options, run.mounts ?? []),
          Init: true,
          // No network namespace to wire up for a step that needs none (detect, release).
          ...(run.offline === true ? { NetworkMode: 'none' } : {}),
        },
      });
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const drained = demux(docker, stream, run.stdout, run.stderr);
        const onAbort = (): void => {
          // The whole process tree goes with the container.
          container.kill().catch(() => undefined);
        };
        run.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          await container.start();
          const result = (await container.wait()) as { StatusCode: number };
          await drained;
          const aborted = run.signal?.aborted ?? false;
          return { exitCode: aborted ? null : result.StatusCode, signal: aborted ? 'SIGKILL' : null };
        } finally {
          run.signal?.removeEventListener('abort', onAbort);
        }
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    },
  };
}

/** A build container's binds (at their host paths) and caps, alike for a step's container and a session's. */
function mountsAndLimits(options: ContainerEnvironmentOptions, mounts: readonly string[]): Docker.HostConfig {
  return {
    Binds: [...new Set(mounts)].map((dir) => `${dir}:${dir}`),
    Memory: options.memoryBytes ?? DEFAULT_BUILD_MEMORY_BYTES,
    MemorySwap: options.memoryBytes ?? DEFAULT_BUILD_MEMORY_BYTES,
    NanoCpus: Math.round((options.cpus ?? DEFAULT_BUILD_CPUS) * 1e9),
    PidsLimit: options.pidsLimit ?? 4096,
  };
}

/**
 * One container for a build's steps: its PID 1 is `sleep infinity` with no init, which
 * signals from inside the container cannot end (the kernel shields a PID namespace's
 * first process), so a step may kill every other process at its end.
 */
async function openContainerSession(options: ContainerEnvironmentOptions, session: SessionOptions): Promise<BuildSession> {
  const { docker } = options;
  session.signal.throwIfAborted();
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: ['sleep', 'infinity'],
    Labels: { [BUILD_CONTAINER_LABEL]: 'true', ...options.labels },
    Tty: false,
    HostConfig: mountsAndLimits(options, session.mounts),
  });
  let removed: Promise<void> | undefined;
  const remove = (): Promise<void> =>
    (removed ??= container.remove({ force: true }).then(
      () => undefined,
      () => undefined,
    ));
  // The whole process tree of every step goes with the container.
  const onAbort = (): void => void remove();
  session.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await container.start();
  } catch (error) {
    session.signal.removeEventListener('abort', onAbort);
    await remove();
    throw error;
  }
  return {
    name: 'container',
    async run(command, args, run: RunOptions): Promise<RunResult> {
      const exec = await container.exec({
        Cmd: ['bash', '-c', STEP_THEN_KILL_LEFTOVERS, 'paas-step', command, ...args],
        Env: Object.entries(run.env).map(([key, value]) => `${key}=${value}`),
        WorkingDir: run.cwd,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      run.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream;
        await demux(docker, stream, run.stdout, run.stderr);
        const aborted = (run.signal?.aborted ?? false) || session.signal.aborted;
        if (aborted) return { exitCode: null, signal: 'SIGKILL' };
        const { ExitCode } = (await exec.inspect()) as { ExitCode: number | null };
        return { exitCode: ExitCode, signal: null };
      } finally {
        run.signal?.removeEventListener('abort', onAbort);
      }
    },
    async close(): Promise<void> {
      session.signal.removeEventListener('abort', onAbort);
      await remove();
    },
  };
}

/** Splits Docker's multiplexed stream; resolves when it ends (dockerode does not end the targets). */
function demux(docker: Docker, stream: NodeJS.ReadWriteStream, stdout: Writable, stderr: Writable): Promise<void> {
  return new Promise((resolve) => {
    docker.modem.demuxStream(stream, stdout, stderr);
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
}
