/**
 * Just enough of the tar format for the drivers: reading entry headers (to vet a slug
 * before anything is unpacked) and writing headers (a Docker build context, test
 * archives). File data is skipped or streamed, never interpreted.
 */
const BLOCK = 512;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  /** Target of a symbolic or hard link. */
  readonly linkname: string;
  readonly size: number;
  /** The raw type flag, for messages about `other` entries. */
  readonly flag: string;
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256 for values that do not fit in octal digits.
    let value = first & 0x7f;
    for (let i = 1; i < length; i += 1) value = value * 256 + (block[start + i] ?? 0);
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

function typeOf(flag: string): TarEntryType {
  if (flag === '0' || flag === '' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

/** PAX records: `<length> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number.parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (space === -1 || !(length > 0)) throw new Error('The archive holds a malformed PAX header.');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals !== -1) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/**
 * Reads the headers of an uncompressed tar stream, calling `onEntry` for every real
 * entry with GNU long names and PAX paths applied. Rejects a damaged archive.
 */
export async function readTarEntries(stream: AsyncIterable<Buffer>, onEntry: (entry: TarEntry) => void): Promise<void> {
  let buffer: Buffer = Buffer.alloc(0);
  let skip = 0; // data bytes (with padding) still to pass over
  let collect: { kind: string; size: number } | undefined; // a meta entry whose data we need
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let ended = false;
  for await (const chunk of stream) {
    if (ended) continue; // the rest is padding after the end-of-archive block
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (skip > 0) {
        const passed = Math.min(skip, buffer.length);
        buffer = buffer.subarray(passed);
        skip -= passed;
        if (skip > 0) break;
      }
      if (collect) {
        const padded = Math.ceil(collect.size / BLOCK) * BLOCK;
        if (buffer.length < padded) break;
        const data = buffer.subarray(0, collect.size);
        if (collect.kind === 'L') longName = text(data, 0, data.length);
        else if (collect.kind === 'K') longLink = text(data, 0, data.length);
        else if (collect.kind === 'x') pax = paxRecords(data);
        buffer = buffer.subarray(padded);
        collect = undefined;
      }
      if (buffer.length < BLOCK) break;
      const block = buffer.subarray(0, BLOCK);
      buffer = buffer.subarray(BLOCK);
      if (block.every((byte) => byte === 0)) {
        ended = true;
        break;
      }
      if (octal(block, 148, 8) !== checksumOf(block)) throw new Error('The archive is damaged (a header checksum does not match).');
      const flag = text(block, 156, 1);
      const size = octal(block, 124, 12);
      if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
        if (size > 1024 * 1024) throw new Error('The archive holds an oversized extended header.');
        collect = { kind: flag, size };
        continue;
      }
      const ustar = text(block, 257, 6) === 'ustar' && block[262] === 0;
      const prefix = ustar ? text(block, 345, 155) : '';
      const headerName = prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100);
      onEntry({
        name: pax.get('path') ?? longName ?? headerName,
        type: typeOf(flag),
        linkname: pax.get('linkpath') ?? longLink ?? text(block, 157, 100),
        size,
        flag,
      });
      longName = undefined;
      longLink = undefined;
      pax = new Map();
      // Hard links and directories carry no data even when a size is recorded.
      skip = flag === '1' || flag === '2' || flag === '5' ? 0 : Math.ceil(size / BLOCK) * BLOCK;
    }
  }
  if (!ended) throw new Error('The archive ends early (no end-of-archive block).');
}

export interface TarHeader {
  readonly name: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'hardlink';
  readonly size?: number;
  readonly linkname?: string;
  readonly mode?: number;
}

const FLAGS = { file: '0', directory: '5', symlink: '2', hardlink: '1' } as const;

/** A ustar header block (names up to 100 bytes). */
export function tarHeader(header: TarHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (value: string, start: number, length: number): void => {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
    bytes.copy(block, start);
  };
  const number = (value: number, start: number, length: number): void =>
    put(`${value.toString(8).padStart(length - 1, '0')}\0`, start, length);
  put(header.name, 0, 100);
  number(header.mode ?? (header.type === 'directory' ? 0o755 : 0o644), 100, 8);
  number(0, 108, 8);
  number(0, 116, 8);
  number(header.size ?? 0, 124, 12);
  number(0, 136, 12);
  put(FLAGS[header.type], 156, 1);
  put(header.linkname ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  number(checksumOf(block), 148, 7);
  block[155] = 0x20;
  return block;
}

export interface TarOwner {
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
}

/** Sets a header block's owner fields and its checksum, in place. */
function setOwner(block: Buffer, owner: TarOwner): void {
  const put = (value: string, start: number, length: number): void => {
    block.fill(0, start, start + length);
    block.write(value, start, length, 'utf8');
  };
  put(`${owner.uid.toString(8).padStart(7, '0')}\0`, 108, 8);
  put(`${owner.gid.toString(8).padStart(7, '0')}\0`, 116, 8);
  put(owner.uname, 265, 32);
  put(owner.gname, 297, 32);
  put(`${checksumOf(block).toString(8).padStart(6, '0')}\0 `, 148, 8);
}

/**
 * Passes an uncompressed tar stream through with every header's uid, gid, uname and
 * gname replaced (checksums made again); data, names and sizes are unchanged, so the
 * output is exactly as long as the input. PAX records are not rewritten: a PAX `uid`
 * would still win, and slugs are written in the GNU format, which has none.
 */
export async function* rewriteTarOwners(stream: AsyncIterable<Buffer>, owner: TarOwner): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0); // the start of a header cut across chunks
  let skip = 0; // data bytes (with padding) to pass through untouched
  let ended = false;
  for await (const input of stream) {
    if (ended) {
      yield input;
      continue;
    }
    // Our own copy: header blocks are changed in place.
    let chunk = pending.length === 0 ? Buffer.from(input) : Buffer.concat([pending, input]);
    pending = Buffer.alloc(0);
    let at = 0;
    while (at < chunk.length && !ended) {
      if (skip > 0) {
        const passed = Math.min(skip, chunk.length - at);
        at += passed;
        skip -= passed;
        continue;
      }
      if (chunk.length - at < BLOCK) {
        pending = Buffer.from(chunk.subarray(at));
        chunk = chunk.subarray(0, at);
        break;
      }
      const block = chunk.subarray(at, at + BLOCK);
      at += BLOCK;
      if (block.every((byte) => byte === 0)) {
        ended = true;
        break;
      }
      if (octal(block, 148, 8) !== checksumOf(block)) throw new Error('The archive is damaged (a header checksum does not match).');
      const flag = text(block, 156, 1);
      const size = octal(block, 124, 12);
      setOwner(block, owner);
      // As readTarEntries: hard links, symlinks and directories carry no data.
      skip = flag === '1' || flag === '2' || flag === '5' ? 0 : Math.ceil(size / BLOCK) * BLOCK;
    }
    if (chunk.length > 0) yield chunk;
  }
  if (pending.length > 0) yield pending;
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
