import { Writable } from 'node:stream';

export interface BoundedCapture {
  readonly stream: Writable;
  /** What was kept, as text. */
  text(): string;
  /** True when more was written than kept. */
  readonly overflowed: boolean;
}

/** A writable that keeps the first `limit` bytes written to it and drops the rest. */
export function captureOutput(limit: number): BoundedCapture {
  let kept = Buffer.alloc(0);
  let overflowed = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (kept.length + chunk.length > limit) overflowed = true;
      if (kept.length < limit) kept = Buffer.concat([kept, chunk.subarray(0, limit - kept.length)]);
      callback();
    },
  });
  return {
    stream,
    text: () => kept.toString('utf8'),
    get overflowed() {
      return overflowed;
    },
  };
}
