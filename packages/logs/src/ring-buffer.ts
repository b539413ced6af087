/**
 * A buffer that keeps the newest `capacity` items, oldest first on read. It grows as items
 * arrive and wraps once full: a quiet app's buffer costs what it holds, not its capacity.
 */
export class RingBuffer<T> {
  readonly #items: T[] = [];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${String(capacity)}`);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#items.length < this.capacity) {
      // Still filling: nothing has wrapped, so the items start at 0.
      this.#items.push(item);
      this.#size += 1;
      return;
    }
    // Full: the newest replaces the oldest.
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /** Every item, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i += 1) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }
}
