export interface DrainBufferOptions {
  /** Most entries kept; default 50,000 (a 64 KiB read of short lines is about 10,000). */
  readonly maxLines?: number;
  /** Most bytes kept, summed over entries; default 8 MiB. */
  readonly maxBytes?: number;
  /** When a first drop happened, for the L10 line. */
  readonly now?: () => Date;
}

export const DEFAULT_MAX_LINES = 50_000;
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A bounded FIFO of pending entries (a drain's encoded frames). A receiver that falls
 * behind costs the oldest entries, never memory: every drop is counted and reported once
 * by `takeOverflowReport()`.
 */
export interface DrainBuffer<T> {
  /** Appends; drops the oldest entries while over either bound. */
  push(entry: T, bytes: number): void;
  /** Removes and returns the oldest entry. */
  shift(): T | undefined;
  /** The oldest entry's size in bytes, if any. */
  peekBytes(): number | undefined;
  readonly length: number;
  readonly bytes: number;
  /** Entries dropped since the buffer was made. */
  readonly dropped: number;
  /** The L10 line for drops since the last report, once; `undefined` when none. */
  takeOverflowReport(): string | undefined;
}

export function overflowLine(count: number, since: Date): string {
  return `Error L10 (output buffer overflow): ${String(count)} messages dropped since ${since.toISOString()}.`;
}

export function createDrainBuffer<T>(options: DrainBufferOptions = {}): DrainBuffer<T> {
  const maxLines = Math.max(1, options.maxLines ?? DEFAULT_MAX_LINES);
  const maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const now = options.now ?? (() => new Date());
  // A ring over fixed arrays: pushing and shifting stay O(1) at any fill level.
  const entries: (T | undefined)[] = new Array<T | undefined>(maxLines);
  const sizes = new Array<number>(maxLines).fill(0);
  let head = 0;
  let length = 0;
  let bytes = 0;
  let dropped = 0;
  let unreported = 0;
  let firstDrop: Date | undefined;

  const noteDrop = (count: number) => {
    dropped += count;
    unreported += count;
    firstDrop ??= now();
  };

  const shift = (): T | undefined => {
    if (length === 0) return undefined;
    const entry = entries[head];
    bytes -= sizes[head] ?? 0;
    entries[head] = undefined;
    head = (head + 1) % maxLines;
    length -= 1;
    return entry;
  };

  return {
    push(entry, size) {
      if (size > maxBytes) {
        // Alone it is over the bound: keeping it would mean dropping everything else.
        noteDrop(1);
        return;
      }
      while (length > 0 && (length >= maxLines || bytes + size > maxBytes)) {
        shift();
        noteDrop(1);
      }
      const tail = (head + length) % maxLines;
      entries[tail] = entry;
      sizes[tail] = size;
      length += 1;
      bytes += size;
    },
    shift,
    peekBytes: () => (length === 0 ? undefined : sizes[head]),
    get length() {
      return length;
    },
    get bytes() {
      return bytes;
    },
    get dropped() {
      return dropped;
    },
    takeOverflowReport() {
      if (unreported === 0 || firstDrop === undefined) return undefined;
      const line = overflowLine(unreported, firstDrop);
      unreported = 0;
      firstDrop = undefined;
      return line;
    },
  };
}
