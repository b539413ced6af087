import type { Db } from './database.js';

/**
 * When the store copies its write-ahead log back into the database file (a checkpoint:
 * the pages, then an fsync of the database). SQLite's own rule runs one inside whichever
 * commit takes the WAL past 1,000 pages: about every hundred config changes, one request
 * and every request queued behind it on the event loop waited for that fsync (the p99 of
 * config:set at concurrency 16). Here a checkpoint runs once the store has been quiet for
 * a moment, and inside a burst only when the WAL has taken four times as many changes.
 */
export interface CheckpointState {
  /** The connection's change count (`total_changes()`) when the last checkpoint ran. */
  readonly checkpointedAt: number;
  /** The change count last seen, and when it was first seen (ms). */
  readonly seen: number;
  readonly seenSince: number;
}

export interface CheckpointRules {
  readonly quietMs: number;
  readonly maxChanges: number;
}

export const CHECKPOINT_RULES: CheckpointRules = {
  /** How long the change count must stay still before the WAL is checkpointed. */
  quietMs: 500,
  /**
   * Rows changed since the last checkpoint after which one runs even in a burst: a config
   * change writes five rows and about 35 KB of WAL, so this is about 14 MB of WAL, four times
   * SQLite's own 1,000 pages. Not more: the WAL file keeps its largest size and a restarted
   * WAL overwrites it, and an fdatasync after an overwrite is cheaper than one after an append
   * (no file size or block map to journal), so a WAL that keeps growing makes every sync of
   * the burst dearer.
   */
  maxChanges: 2_000,
};

/** Whether to checkpoint now, and the state to keep: a pure function of the counts and the clock. */
export function planCheckpoint(state: CheckpointState, changes: number, now: number, rules: CheckpointRules = CHECKPOINT_RULES): { checkpoint: boolean; state: CheckpointState } {
  const seen = changes === state.seen ? state : { ...state, seen: changes, seenSince: now };
  const pending = changes - seen.checkpointedAt;
  const due = pending > 0 && (pending >= rules.maxChanges || now - seen.seenSince >= rules.quietMs);
  return { checkpoint: due, state: due ? { ...seen, checkpointedAt: changes } : seen };
}

export interface WalCheckpoints {
  /** Stops looking; the last connection's close checkpoints whatever is left. */
  stop(): void;
}

/** How often the change count is looked at (one cheap statement). */
const POLL_MS = 250;

/**
 * Turns SQLite's automatic checkpoints off on `db` and runs them by `planCheckpoint`
 * instead, from a timer that does not keep the process alive.
 */
export function startWalCheckpoints(db: Db, clock: () => number = () => performance.now()): WalCheckpoints {
  db.pragma('wal_autocheckpoint = 0');
  const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  const start = totalChanges.get() ?? 0;
  let state: CheckpointState = { checkpointedAt: start, seen: start, seenSince: clock() };
  const timer = setInterval(() => {
    if (!db.open) return;
    const plan = planCheckpoint(state, totalChanges.get() ?? 0, clock());
    state = plan.state;
    // PASSIVE: copies what no reader still needs and never waits for a lock.
    if (plan.checkpoint) db.pragma('wal_checkpoint(PASSIVE)');
  }, POLL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
