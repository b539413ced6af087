import { Writable } from 'node:stream';

/** A stream that calls `onLine` for each complete line written to it (and the rest at the end). */
export function lineWriter(onLine: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      callback();
    },
    final(callback) {
      if (partial) onLine(partial);
      partial = '';
      callback();
    },
  });
}
