import { Writable } from 'node:stream';

import type Docker from 'dockerode';

import { createLineSplitter } from './line-splitter.js';

export interface LogFollow {
  /** Settles when the log stream has ended (the container stopped) and its last lines are out. */
  readonly done: Promise<void>;
  stop(): void;
}

/** A Writable that feeds a line splitter (dockerode's demux writes into Writables). */
function lineSink(onLine: (line: string) => void): { sink: Writable; flush: () => void } {
  const splitter = createLineSplitter(onLine);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      splitter.push(chunk);
      done();
    },
  });
  return { sink, flush: () => splitter.flush() };
}

/**
 * Follows a container's stdout and stderr from `since` (unix seconds, fractions allowed;
 * 0 = from its start), demultiplexed and split into lines.
 */
export async function followContainerLogs(
  docker: Docker,
  id: string,
  since: number,
  onLine: (stream: 'stdout' | 'stderr', line: string) => void,
): Promise<LogFollow> {
  const stream = (await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true, since })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const stdout = lineSink((line) => onLine('stdout', line));
  const stderr = lineSink((line) => onLine('stderr', line));
  docker.modem.demuxStream(stream, stdout.sink, stderr.sink);
  const done = new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      stdout.flush();
      stderr.flush();
      resolve();
    };
    // dockerode does not end the targets of a demux: the source's end is the signal
    // (a turn later, so that writes still queued in the sinks are split first).
    const later = (): void => void setImmediate(finish);
    stream.on('end', later);
    stream.on('close', later);
    stream.on('error', later);
  });
  return { done, stop: () => stream.destroy() };
}
