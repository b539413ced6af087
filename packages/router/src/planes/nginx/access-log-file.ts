/**
 * nginx's access lines, read from a buffered log file. A syslog datagram per request cost a
 * send in nginx and a receive and an event in paasd on every request; a buffered file costs
 * one write per 64 KB or per second, and paasd reads it in chunks. The file is rotated the
 * lossless way: renamed, nginx told to reopen its logs (SIGUSR1, which also flushes the
 * workers' buffers), and the old file read to its end before it is removed.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AccessLogFileOptions {
  /** Called with each complete line, without its newline. */
  readonly onLine: (line: string) => void;
  readonly onError: (error: unknown) => void;
  /** Asks nginx to reopen its log files (SIGUSR1 to the master). */
  readonly reopen: () => void;
  /** Rotate once this many bytes have been read (default 16 MB). */
  readonly rotateAfterBytes?: number;
  /** Read this often besides inotify's wake-ups (default 250 ms). */
  readonly pollMs?: number;
  /**
   * How long a rotated file is still read: nginx's workers reopen on the master's signal and
   * flush their buffers then, so nothing is written to it after a moment (default 1 s).
   */
  readonly rotatedGraceMs?: number;
}

export interface AccessLogFile {
  /** Reads whatever nginx has written so far. */
  drain(): Promise<void>;
  /** Reads what is left (call after nginx has exited, which flushes its buffers), then stops. */
  close(): Promise<void>;
}

const CHUNK_BYTES = 256 * 1024;

/** One file being read from an offset, keeping a partial last line for the next read. */
class Reader {
  private offset = 0;
  private rest = '';
  /** One buffer per file, reused: nginx writes every 64 KB, so a fresh 256 KB buffer per read was most of paasd's garbage. */
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<Reader> {
    return new Reader(await open(path, 'r'));
  }

  get bytesRead(): number {
    return this.offset;
  }

  async read(onLine: (line: string) => void): Promise<void> {
    const buffer = this.buffer;
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      // nginx writes whole lines, but a read can still land in the middle of its write.
      const text = this.rest + buffer.toString('utf8', 0, bytesRead);
      const end = text.lastIndexOf('\n');
      this.rest = end === -1 ? text : text.slice(end + 1);
      if (end === -1) continue;
      let start = 0;
      while (start < end) {
        const next = text.indexOf('\n', start);
        if (next > start) onLine(text.slice(start, next));
        start = next + 1;
      }
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * Follows the access log at `path`, which must exist (nginx creates it at start; call this
 * after nginx runs). Lines written before this call are read too.
 */
export async function followAccessLog(path: string, options: AccessLogFileOptions): Promise<AccessLogFile> {
  const rotateAfter = options.rotateAfterBytes ?? 16 * 1024 * 1024;
  const grace = options.rotatedGraceMs ?? 1000;
  let reader = await Reader.open(path);
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  let watcher: FSWatcher | undefined;
  /**
   * The rotated file while nginx may still write to it. The new file is read only once it is
   * done, so lines stay in the order nginx wrote them.
   */
  let rotated: { reader: Reader; path: string; until: number } | undefined;

  const finishRotated = async (force: boolean): Promise<boolean> => {
    if (rotated === undefined) return true;
    await rotated.reader.read(options.onLine);
    if (!force && Date.now() < rotated.until) return false;
    const { reader: old, path: oldPath } = rotated;
    rotated = undefined;
    await old.close();
    await rm(oldPath, { force: true });
    return true;
  };

  const readAvailable = async (): Promise<void> => {
    if (closed) return;
    if (!(await finishRotated(false))) return;
    await reader.read(options.onLine);
    if (reader.bytesRead < rotateAfter) return;
    const oldPath = `${path}.1`;
    await rename(path, oldPath);
    options.reopen();
    // nginx's master creates the new file when it reopens.
    const deadline = Date.now() + 5000;
    let next: Reader | undefined;
    while (next === undefined && Date.now() < deadline) {
      next = await Reader.open(path).catch(() => undefined);
      if (next === undefined) await sleep(20);
    }
    if (next === undefined) {
      // nginx did not reopen (it may be exiting): keep reading the renamed file.
      await rename(oldPath, path).catch(() => undefined);
      return;
    }
    rotated = { reader, path: oldPath, until: Date.now() + grace };
    reader = next;
    watchPath();
  };
  // Reads are serialised: each starts where the previous ended.
  // One read waits at most: inotify wakes paasd on every 64 KB nginx writes, and a read that
  // has not started yet will see whatever those writes added.
  let queued = false;
  const schedule = (): Promise<void> => {
    if (queued) return chain;
    queued = true;
    chain = chain.then(() => {
      queued = false;
      return readAvailable();
    }).catch(options.onError);
    return chain;
  };

  // inotify follows the inode, so the new file is watched again after each rotation.
  const watchPath = (): void => {
    watcher?.close();
    try {
      watcher = watch(path, () => void schedule());
      watcher.on('error', () => watcher?.close());
    } catch (error) {
      options.onError(error);
    }
  };
  watchPath();
  const timer = setInterval(() => void schedule(), options.pollMs ?? 250);
  timer.unref();
  void schedule();

  return {
    drain: schedule,
    async close() {
      clearInterval(timer);
      watcher?.close();
      chain = chain.then(async () => {
        await finishRotated(true);
        await reader.read(options.onLine);
      }).catch(options.onError);
      await chain;
      closed = true;
      await reader.close();
    },
  };
}
