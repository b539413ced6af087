/**
 * Writes tar archives entry by entry, including the hostile ones real tools refuse to
 * make (`../x`, absolute names, links out), so tests can feed them to the extractor.
 */
export interface TarTestEntry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'hardlink';
  readonly body?: string | Buffer;
  readonly linkName?: string;
  readonly mode?: number;
}

const FLAGS = { file: '0', directory: '5', symlink: '2', hardlink: '1' } as const;

function header(entry: TarTestEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number): void => {
    block.write(text.slice(0, length), offset, length, 'utf8');
  };
  const octal = (value: number, offset: number, length: number): void => {
    put(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
  };
  const type = entry.type ?? 'file';
  put(entry.name, 0, 100);
  octal(entry.mode ?? (type === 'directory' ? 0o755 : 0o644), 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(0, 136, 12);
  put(FLAGS[type], 156, 1);
  put(entry.linkName ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  block.fill(32, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

export function makeTar(entries: readonly TarTestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = (entry.type ?? 'file') === 'file' ? Buffer.from(entry.body ?? '') : Buffer.alloc(0);
    parts.push(header(entry, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
