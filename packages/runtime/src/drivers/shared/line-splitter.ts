/** Heroku's limit: longer log lines are split into pieces of at most this many bytes. */
export const MAX_LINE_BYTES = 10_000;

export interface LineSplitter {
  /** Feeds bytes; complete lines go to the callback at once. */
  push(chunk: Buffer): void;
  /** Emits what is left without a trailing newline (the stream ended). */
  flush(): void;
  /** Bytes held back because their line is not complete yet. */
  readonly pending: number;
}

/** The last byte index ≤ `limit` that starts a UTF-8 character, so a split never cuts one in two. */
function characterBoundary(buffer: Buffer, limit: number): number {
  let end = limit;
  // 0b10xxxxxx bytes continue a character; at most 3 of them follow a lead byte.
  while (end > limit - 3 && end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return end > 0 ? end : limit;
}

/**
 * Splits a byte stream into lines: at `\n` (a `\r` before it is dropped), and every
 * `MAX_LINE_BYTES` bytes of a longer line. Bytes are decoded only per whole line, so
 * a multi-byte character split across chunks stays intact.
 */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let pending = Buffer.alloc(0);
  const emit = (bytes: Buffer): void => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    onLine(bytes.subarray(0, end).toString('utf8'));
  };
  return {
    push(chunk) {
      let buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const newline = buffer.indexOf(0x0a);
        if (newline !== -1 && newline <= MAX_LINE_BYTES) {
          emit(buffer.subarray(0, newline));
          buffer = buffer.subarray(newline + 1);
        } else if (buffer.length > MAX_LINE_BYTES) {
          const cut = characterBoundary(buffer, MAX_LINE_BYTES);
          onLine(buffer.subarray(0, cut).toString('utf8'));
          buffer = buffer.subarray(cut);
        } else break;
      }
      // Copy so that the caller's (possibly large) chunk is not kept alive by a small tail.
      pending = Buffer.from(buffer);
    },
    flush() {
      if (pending.length > 0) emit(pending);
      pending = Buffer.alloc(0);
    },
    get pending() {
      return pending.length;
    },
  };
}
