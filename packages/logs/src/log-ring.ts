import type { LogEvent, LogSource } from './log-event.js';

const SOURCES: readonly LogSource[] = ['app', 'paas'];
/** Bytes a line may take besides its text: time and process lengths, source, line length. */
const RECORD_OVERHEAD = 1 + 1 + 2 + 4;
/** A quiet app's ring starts this small; both its arrays double as lines arrive. */
const INITIAL_BYTES = 1024;
const INITIAL_LINES = 16;

/**
 * An app's newest `capacity` log lines, oldest first on read, kept as bytes outside the
 * JavaScript heap.
 *
 * The router adds a line per request, thousands a second. Kept as objects, every one of
 * them would outlive a young-generation collection and be promoted, and the old generation
 * they fill makes paasd run full collections over its whole heap, which is what shows in
 * the router's tail latency. Kept as bytes, a line costs a copy when written and objects
 * only when read (`paas logs`, a dashboard page).
 *
 * Records are appended to one buffer; the oldest are dropped by count; when the end is
 * reached the live records are moved to the front, or into a buffer twice the size if they
 * would leave less than a quarter of it free. So a quiet app's ring costs what it holds,
 * not its capacity.
 */
export class LogRing {
  #bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  /** Where each record starts, by slot (slot = line number modulo capacity); as long as the capacity once full. */
  #starts: Uint32Array;
  /** Lines ever pushed: the newest is slot (#count - 1) % capacity. */
  #count = 0;
  /** End of the newest record. */
  #end = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log ring capacity must be a positive integer, got ${String(capacity)}`);
    this.#starts = new Uint32Array(Math.min(capacity, INITIAL_LINES));
  }

  get size(): number {
    return Math.min(this.#count, this.capacity);
  }

  push(event: LogEvent): void {
    // Room for the worst case (3 bytes a UTF-16 unit); the record takes what it writes.
    this.#reserve(RECORD_OVERHEAD + event.time.length + 3 * (event.process.length + event.line.length));
    const bytes = this.#bytes;
    const start = this.#end;
    let at = start;
    const timeLength = bytes.write(event.time, at + 1, 'latin1');
    bytes[at] = timeLength;
    at += 1 + timeLength;
    bytes[at] = event.source === 'app' ? 0 : 1;
    const processLength = bytes.write(event.process, at + 3, 'utf8');
    bytes.writeUInt16LE(processLength, at + 1);
    at += 3 + processLength;
    const lineLength = bytes.write(event.line, at + 4, 'utf8');
    bytes.writeUInt32LE(lineLength, at);
    this.#end = at + 4 + lineLength;
    if (this.#count === this.#starts.length && this.#count < this.capacity) {
      // Not full yet, so slots are line numbers: the longer array keeps them where they are.
      const longer = new Uint32Array(Math.min(this.capacity, 2 * this.#starts.length));
      longer.set(this.#starts);
      this.#starts = longer;
    }
    this.#starts[this.#count % this.capacity] = start;
    this.#count += 1;
  }

  /** Every line kept, oldest first. */
  toArray(): LogEvent[] {
    const out: LogEvent[] = [];
    const first = this.#count - this.size;
    for (let n = first; n < this.#count; n += 1) out.push(this.#read(this.#starts[n % this.capacity] as number));
    return out;
  }

  #read(start: number): LogEvent {
    const bytes = this.#bytes;
    let at = start;
    const timeLength = bytes[at] as number;
    const time = bytes.toString('latin1', at + 1, at + 1 + timeLength);
    at += 1 + timeLength;
    const source = SOURCES[bytes[at] as number] as LogSource;
    const processLength = bytes.readUInt16LE(at + 1);
    const process = bytes.toString('utf8', at + 3, at + 3 + processLength);
    at += 3 + processLength;
    const lineLength = bytes.readUInt32LE(at);
    return { time, source, process, line: bytes.toString('utf8', at + 4, at + 4 + lineLength) };
  }

  /** Makes `need` bytes free after the newest record, dropping the line the next push replaces. */
  #reserve(need: number): void {
    if (this.#end + need <= this.#bytes.length) return;
    // The oldest line kept after the next push (the one before it is dropped by count).
    const keptFrom = this.#count >= this.capacity ? this.#count - this.capacity + 1 : this.#count - this.size;
    const liveStart = keptFrom < this.#count ? (this.#starts[keptFrom % this.capacity] as number) : this.#end;
    const live = this.#end - liveStart;
    // A quarter left free: the live lines are moved at most once per that many bytes written.
    const wanted = Math.ceil(((live + need) * 4) / 3);
    if (wanted <= this.#bytes.length) {
      this.#bytes.copyWithin(0, liveStart, this.#end);
    } else {
      let size = this.#bytes.length * 2;
      while (size < wanted) size *= 2;
      const larger = Buffer.allocUnsafe(size);
      this.#bytes.copy(larger, 0, liveStart, this.#end);
      this.#bytes = larger;
    }
    for (let n = keptFrom; n < this.#count; n += 1) {
      const slot = n % this.capacity;
      this.#starts[slot] = (this.#starts[slot] as number) - liveStart;
    }
    this.#end = live;
  }
}
