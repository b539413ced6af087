import type Docker from 'dockerode';

import { lineSinkOf } from '../line-writer.js';

export interface LogFollow {
  /** Settles when the log stream has ended (the container stopped) and its last lines are out. */
  readonly done: Promise<void>;
  stop(): void;
}

/** dockerode's demux writes into Writables: these split lines and let the loop turn during bursts. */
const lineSink = lineSinkOf;

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
