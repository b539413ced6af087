import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, truncate } from 'node:fs/promises';

export interface FileTail {
  /** Bytes of the file consumed so far. */
  readonly offset: number;
  /** Reads whatever has been written up to now. */
  drain(): Promise<void>;
  /** Reads what is left, then stops watching. */
  stop(): Promise<void>;
}

export interface FileTailOptions {
  /** Where to start reading. */
  readonly offset: number;
  /** Polling interval besides inotify (which can miss events on some file systems). */
  readonly pollMs?: number;
  /**
   * Once everything is read and the file is larger than this, it is truncated: the
   * writer appends (O_APPEND), so it simply continues at the new end. A line written in
   * the instant between the last read and the truncation is lost; that is the price of
   * not letting a chatty process fill the disk.
   */
  readonly truncateAfterBytes?: number;
  readonly onData: (chunk: Buffer) => void;
  readonly onError: (error: unknown) => void;
}

const CHUNK_BYTES = 64 * 1024;

/** Follows a file another process appends to, like `tail -f`, handing new bytes to `onData`. */
export function tailFile(path: string, options: FileTailOptions): FileTail {
  let offset = options.offset;
  let handle: FileHandle | undefined;
  let watcher: FSWatcher | undefined;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let closed = false;

  const readAvailable = async (): Promise<void> => {
    if (closed) return;
    handle ??= await open(path, 'r');
    const { size } = await handle.stat();
    if (size < offset) offset = 0; // truncated (by us or by another reader of the same file)
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      options.onData(Buffer.from(buffer.subarray(0, bytesRead)));
    }
    if (options.truncateAfterBytes !== undefined && offset > options.truncateAfterBytes) {
      await truncate(path, 0);
      offset = 0;
    }
  };
  // Reads are serialised: each one starts where the previous one ended.
  const schedule = (): Promise<void> => {
    chain = chain.then(readAvailable).catch(options.onError);
    return chain;
  };

  try {
    watcher = watch(path, () => void schedule());
    watcher.on('error', () => {
      // inotify gave up (the file went away); the poll below still runs until stop().
      watcher?.close();
    });
  } catch (error) {
    options.onError(error);
  }
  const timer = setInterval(() => void schedule(), options.pollMs ?? 1000);
  timer.unref();
  void schedule();

  return {
    get offset() {
      return offset;
    },
    drain: schedule,
    async stop() {
      if (stopped) return chain;
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      await schedule();
      closed = true;
      await handle?.close();
      handle = undefined;
    },
  };
}
