import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import type { OneOffIo, OneOffSpec } from '../../driver.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { profileWrapperArgs } from '../shared/profile-wrapper.js';
import { INSTANCE_LABEL, ONEOFF_LABEL, environment } from './docker-container-config.js';
import type { OneOffsInFlight } from './docker-oneoff-sweep.js';

/** Grace between SIGTERM and SIGKILL when a one-off is aborted. */
const ABORT_GRACE_SECONDS = 5;

/** Splits the attach stream into the caller's writables (which stay open); settles at its end. */
function demux(docker: Docker, stream: NodeJS.ReadWriteStream, stdout: Writable, stderr: Writable): Promise<void> {
  return new Promise((resolve) => {
    docker.modem.demuxStream(stream, stdout, stderr);
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
}

/**
 * Runs a created one-off container attached to the caller: output demultiplexed into
 * `io.stdout`/`io.stderr`, `io.stdin` (if any) into the process until it ends, the exit
 * code from `wait`. Aborting stops the container (SIGTERM, SIGKILL after a grace).
 */
export async function attachOneOff(docker: Docker, container: Docker.Container, io: OneOffIo, logger: DriverLogger): Promise<{ exitCode: number | null }> {
  const withStdin = io.stdin !== undefined;
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    container.stop({ t: ABORT_GRACE_SECONDS }).catch((error: unknown) => logger.debug({ err: error }, 'one-off stop failed'));
  };
  try {
    const stream = await container.attach({ stream: true, stdin: withStdin, stdout: true, stderr: true, hijack: withStdin });
    const drained = demux(docker, stream, io.stdout, io.stderr);
    if (io.signal?.aborted) return { exitCode: null }; // aborted while the container was being made
    io.signal?.addEventListener('abort', onAbort, { once: true });
    await container.start();
    // Ending our side (stdin's end) tells the engine to close the process's stdin (StdinOnce).
    if (io.stdin) io.stdin.pipe(stream as unknown as Writable);
    const result = (await container.wait()) as { StatusCode: number };
    await Promise.race([drained, sleep(2000, undefined, { ref: false })]);
    return { exitCode: aborted ? null : result.StatusCode };
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}

export interface OneOffContainer {
  readonly spec: OneOffSpec;
  readonly io: OneOffIo;
  /** The slug's image, on this engine. */
  readonly image: string;
  readonly instance: string;
  readonly hostConfig: Docker.HostConfig;
  readonly logger: DriverLogger;
  /** The driver's one-offs in flight: this one's name is in it from before its container is made until it is removed. */
  readonly inFlight: OneOffsInFlight;
}

/** A one-off as a container on this engine, attached to the caller, removed when it ends. */
export async function runOneOffContainer(docker: Docker, made: OneOffContainer): Promise<{ exitCode: number | null }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runOnce(docker, made);
    } catch (error) {
      // Its start found no network: an attachable Swarm overlay is dropped from a node when the
      // node's last task on it leaves, and a container started in that instant cannot join it.
      // Nothing ran and nothing was read from stdin: a new container joins it afresh.
      const { statusCode, message } = error as { statusCode?: number; message?: unknown };
      if (attempt >= 3 || statusCode !== 404 || !/network \S+ not found/.test(String(message))) throw error;
      made.logger.info({ attempt }, 'one-off found no network at its start; made again');
      await sleep(500 * attempt);
    }
  }
}

async function runOnce(docker: Docker, { spec, io, image, instance, hostConfig, logger, inFlight }: OneOffContainer): Promise<{ exitCode: number | null }> {
  const withStdin = io.stdin !== undefined;
  const name = `paas-${spec.app}-${spec.name}-r${String(spec.release)}-${randomBytes(3).toString('hex')}`;
  // Before it exists, so a sweep listing the engine meanwhile never takes it for a leftover.
  inFlight.add(name);
  try {
    return await createAndAttach(docker, name, { spec, io, image, instance, hostConfig, logger }, withStdin);
  } finally {
    inFlight.delete(name);
  }
}

async function createAndAttach(docker: Docker, name: string, { spec, io, image, instance, hostConfig, logger }: Omit<OneOffContainer, 'inFlight'>, withStdin: boolean): Promise<{ exitCode: number | null }> {
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: ['bash', ...profileWrapperArgs(spec.command)],
    Env: environment(spec.env),
    WorkingDir: '/app',
    Tty: false,
    OpenStdin: withStdin,
    StdinOnce: withStdin,
    AttachStdin: withStdin,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { 'paas.app': spec.app, 'paas.release': String(spec.release), 'paas.name': spec.name, [ONEOFF_LABEL]: 'true', [INSTANCE_LABEL]: instance },
    HostConfig: hostConfig,
  });
  try {
    return await attachOneOff(docker, container, io, logger);
  } finally {
    await container.remove({ force: true, v: true }).catch((error: unknown) => logger.warn({ err: error }, 'one-off container not removed'));
  }
}
