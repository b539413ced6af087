import type Docker from 'dockerode';

import { lineSinkOf } from '../../line-writer.js';

export interface LogFollow {
  /** Settles when the output stream has ended (the container stopped) and its last lines are out. */
  readonly done: Promise<void>;
  stop(): void;
}

/** dockerode's demux writes into Writables: these split lines and let the loop turn during bursts. */
const lineSink = lineSinkOf;

/**
 * Attaches to a container's stdout and stderr, demultiplexed and split into lines: what it
 * writes from now on (attach before start to get everything, or open its gate: `openGate`).
 *
 * Not `GET /containers/{id}/logs?follow`: that reads the json-file log back, and when the
 * file rotates under a reader (10 MB here) Docker 20.10 repeats some lines and skips others
 * (of 300,000 lines, 33,000 sent twice and 88,000 never). An attached stream is the
 * process's output itself. The price: Docker writes to an attached client before going on,
 * so a paasd that stops reading (hung, not dead: a dead one closes the socket) would in
 * time hold up a container's output; a paasd that hangs has stopped routing its requests
 * too.
 */
export async function attachContainerOutput(
  docker: Docker,
  id: string,
  onLine: (stream: 'stdout' | 'stderr', line: string) => void,
  options: { readonly openGate?: boolean } = {},
): Promise<LogFollow> {
  const gate = options.openGate === true;
  const stream = (await docker.getContainer(id).attach({ stream: true, stdin: gate, hijack: gate, stdout: true, stderr: true, logs: false })) as unknown as NodeJS.ReadWriteStream & {
    destroy(): void;
  };
  const stdout = lineSink((line) => onLine('stdout', line));
  const stderr = lineSink((line) => onLine('stderr', line));
  docker.modem.demuxStream(stream, stdout.sink, stderr.sink);
  // A container that waits on its stdin until someone follows it (the Swarm driver's, whose
  // engine starts it before anyone can attach): attached now, so its first line is not missed.
  if (gate) stream.write('\n');
  const done = new Promise<void>((resolve) => {
    let finished = false;
    const ended = (sink: NodeJS.WritableStream): Promise<void> => new Promise((done) => sink.end(done));
    const finish = (): void => {
      if (finished) return;
      finished = true;
      // Ending a sink splits the writes still queued in it, then what is left of the last line.
      void Promise.all([ended(stdout.sink), ended(stderr.sink)]).then(() => resolve());
    };
    // dockerode does not end the targets of a demux: the source's end is the signal
    // (a turn later, so that its last chunks have been written to the sinks).
    const later = (): void => void setImmediate(finish);
    stream.on('end', later);
    stream.on('close', later);
    stream.on('error', later);
  });
  return { done, stop: () => stream.destroy() };
}

/** A process container being followed: its output, its OOM kill, and the one report of its exit. */
export interface TrackedContainer {
  readonly app: string;
  readonly name: string;
  logs?: LogFollow | undefined;
  /** Settles once the log stream is set up (or failed to be), so an exit can wait for the last lines. */
  readonly following: Promise<void>;
  followed: () => void;
  oom: boolean;
  /** Settles once the exit has been reported (or the driver closed). */
  readonly reported: Promise<void>;
  report: (() => void) | undefined;
}
