/**
 * A streaming reader for tar archives (POSIX ustar, pax and GNU long names), enough
 * for `git archive` output and for slugs. It hands out one entry at a time with its
 * body as a stream, so nothing larger than a chunk is held in memory.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** The name as stored (after pax / GNU long-name records), not yet checked. */
  readonly path: string;
  readonly type: TarEntryType;
  /** The raw type flag, for messages about unsupported entries. */
  readonly typeFlag: string;
  readonly mode: number;
  readonly size: number;
  readonly linkPath: string;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;

/** Pulls exact byte counts out of an async stream of chunks. */
class ChunkReader {
  readonly #source: AsyncIterator<Buffer | string>;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  async #pull(): Promise<boolean> {
    const next = await this.#source.next();
    if (next.done === true) return false;
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
    }
    return true;
  }

  /** Exactly `n` bytes, or null at a clean end of stream. */
  async read(n: number): Promise<Buffer | null> {
    while (this.#length < n) {
      if (!(await this.#pull())) {
        if (this.#length === 0) return null;
        throw new TarFormatError('the archive ends in the middle of an entry');
      }
    }
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return head;
  }

  /** Yields the next `n` bytes chunk by chunk. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#length === 0 && !(await this.#pull())) {
        throw new TarFormatError('the archive ends in the middle of a file');
      }
      const chunk = this.#chunks.shift();
      if (chunk === undefined) continue;
      this.#length -= chunk.length;
      if (chunk.length > left) {
        this.#chunks.unshift(chunk.subarray(left));
        this.#length += chunk.length - left;
        yield chunk.subarray(0, left);
        left = 0;
      } else {
        left -= chunk.length;
        yield chunk;
      }
    }
  }

  async skip(n: number): Promise<void> {
    for await (const chunk of this.stream(n)) void chunk;
  }
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  // GNU base-256 for values that do not fit in octal (files over 8 GiB).
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const digits = text(block, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarFormatError('a header field is not an octal number: this is not a tar archive');
  return parseInt(digits, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum === octal(block, 148, 8);
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(32, offset);
    if (space === -1) break;
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new TarFormatError('a pax header record is malformed');
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

const MAX_META_BYTES = 1024 * 1024;

/**
 * Calls `onEntry` for every entry in order; `body` yields the entry's content and must
 * be consumed or ignored before `onEntry` returns (what is left is skipped).
 */
export async function readTar(
  source: AsyncIterable<Buffer | string>,
  onEntry: (entry: TarEntry, body: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const reader = new ChunkReader(source);
  let longPath: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block === null || block.every((byte) => byte === 0)) return;
    if (!checksumOk(block)) throw new TarFormatError('a header checksum does not match: this is not a tar archive, or it is damaged');
    const flag = text(block, 156, 1);
    const size = octal(block, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META_BYTES) throw new TarFormatError('an extended header is too large');
      const data = size === 0 ? Buffer.alloc(0) : ((await reader.read(padded)) ?? Buffer.alloc(0)).subarray(0, size);
      // Global pax headers (`git archive` puts the commit id there) apply to no name we use.
      if (flag === 'x') pax = parsePax(data);
      if (flag === 'L') longPath = text(data, 0, data.length);
      if (flag === 'K') longLink = text(data, 0, data.length);
      continue;
    }
    const magic = block.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? text(block, 345, 155) : '';
    const name = text(block, 0, 100);
    const entry: TarEntry = {
      path: pax.get('path') ?? longPath ?? (prefix ? `${prefix}/${name}` : name),
      type: entryType(flag),
      typeFlag: flag,
      mode: octal(block, 100, 8) & 0o7777,
      size: pax.has('size') ? Number(pax.get('size')) : size,
      linkPath: pax.get('linkpath') ?? longLink ?? text(block, 157, 100),
    };
    pax = new Map();
    longPath = undefined;
    longLink = undefined;
    // Only regular files carry data; hard links and directories never do.
    const bodySize = entry.type === 'file' ? entry.size : flag === '1' || flag === '2' || flag === '5' ? 0 : size;
    let consumed = 0;
    const body = (async function* () {
      for await (const chunk of reader.stream(bodySize)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    await onEntry(entry, body);
    await reader.skip(bodySize - consumed);
    await reader.skip(Math.ceil(bodySize / BLOCK) * BLOCK - bodySize);
  }
}
