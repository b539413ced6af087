import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

export interface GroupCommit {
  /**
   * Resolves once every change committed before the call is on disk. Callers that arrive
   * while a sync runs share the next one: sixteen concurrent changes cost two fsyncs, not
   * sixteen, and none of them blocks the event loop (the sync runs on libuv's threads).
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Group commit over SQLite's write-ahead log: commits are written with
 * `synchronous = NORMAL` (no fsync of their own), and the API acknowledges a change only
 * after `durable()` has fdatasync'ed the WAL file that holds it.
 */
export function createGroupCommit(walPath: string, options: { sync?: (wal: FileHandle) => Promise<void> } = {}): GroupCommit {
  const syncFile = options.sync ?? ((wal: FileHandle) => wal.datasync());
  let handle: Promise<FileHandle | undefined> | undefined;
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const openWal = (): Promise<FileHandle | undefined> =>
    (handle ??= open(walPath, 'r+').catch((error: NodeJS.ErrnoException) => {
      // No WAL yet means nothing was written yet; try again on the next call.
      handle = undefined;
      if (error.code === 'ENOENT') return undefined;
      throw error;
    }));

  const sync = async (): Promise<void> => {
    const wal = await openWal();
    if (wal) await syncFile(wal);
  };

  const durable = (): Promise<void> => {
    if (!inFlight) {
      inFlight = sync().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    // The sync under way may have started before this caller's commit: wait for the next.
    queued ??= inFlight
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return durable();
      });
    return queued;
  };

  return {
    durable,
    async close() {
      await Promise.allSettled([inFlight, queued]);
      await (await handle?.catch(() => undefined))?.close();
    },
  };
}
