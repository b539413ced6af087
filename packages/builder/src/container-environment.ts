import type { Writable } from 'node:stream';

import type Docker from 'dockerode';

import type { BuildEnvironment, RunOptions, RunResult } from './build-environment.js';

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
 * Runs each build command in a fresh container of the stack image. The build, cache,
 * env and buildpack directories are bind-mounted at the same paths they have on the
 * host, so the builder needs no path translation.
 */
export function createContainerEnvironment(options: ContainerEnvironmentOptions): BuildEnvironment {
  const { docker } = options;
  return {
    name: 'container',
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
          Binds: [...new Set(run.mounts ?? [])].map((dir) => `${dir}:${dir}`),
          Memory: options.memoryBytes ?? DEFAULT_BUILD_MEMORY_BYTES,
          MemorySwap: options.memoryBytes ?? DEFAULT_BUILD_MEMORY_BYTES,
          NanoCpus: Math.round((options.cpus ?? DEFAULT_BUILD_CPUS) * 1e9),
          PidsLimit: options.pidsLimit ?? 4096,
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

/** Splits Docker's multiplexed stream; resolves when it ends (dockerode does not end the targets). */
function demux(docker: Docker, stream: NodeJS.ReadWriteStream, stdout: Writable, stderr: Writable): Promise<void> {
  return new Promise((resolve) => {
    docker.modem.demuxStream(stream, stdout, stderr);
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
}
