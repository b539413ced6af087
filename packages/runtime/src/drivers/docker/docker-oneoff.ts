import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import type { OneOffIo } from '../../driver.js';
import type { DriverLogger } from '../shared/driver-logger.js';

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
