import { Writable } from 'node:stream';

import { createLineSplitter } from './drivers/shared/line-splitter.js';

/**
 * Bytes handled before a writer lets the event loop turn. A process can hand over
 * megabytes in one go; its lines fan out to sockets (log drains, live readers) that only
 * flush when the loop turns, so a burst is taken in slices instead of all at once.
 */
const BYTES_PER_TURN = 64 * 1024;

/** A Writable over a line splitter that yields to the event loop every BYTES_PER_TURN bytes. */
export function lineSinkOf(onLine: (line: string) => void): { sink: Writable; flush: () => void } {
  const splitter = createLineSplitter(onLine);
  let sinceTurn = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      sinceTurn += chunk.length;
      if (sinceTurn < BYTES_PER_TURN) return callback();
      sinceTurn = 0;
      setImmediate(callback);
    },
    final(callback) {
      splitter.flush();
      callback();
    },
  });
  return { sink, flush: () => splitter.flush() };
}

/**
 * A stream that calls `onLine` for each complete line written to it (and the rest at the
 * end). Lines over 10,000 bytes come in pieces, so a process that never writes a newline
 * cannot make paasd hold its whole output.
 */
export function lineWriter(onLine: (line: string) => void): Writable {
  return lineSinkOf(onLine).sink;
}
