/**
 * Gives back the heap a process no longer uses once it goes idle. V8 compacts its heap and
 * shrinks the young generation only when its memory reducer runs: 8 s after a full collection,
 * and again 8 s later if the process was still busy then. paasd ends its start (and every
 * burst of API calls) with its old space twice its live size (28 MB holding 17 MB live, 3 s
 * after 100 apps were made) and kept it for half a minute or more. A collection that reduces
 * memory, asked for after a quiet second, gives the ~17 MB back at once.
 *
 * The collection is the inspector's `HeapProfiler.collectGarbage` (V8's "collect all
 * available garbage": full collections with compaction until nothing more is freed), asked
 * in-process through `node:inspector`: no port, no flag. It pauses this thread for tens of
 * ms, which is why it waits for quiet; the router runs in a thread of its own.
 */
import { Session } from 'node:inspector';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** What one check sees. */
export interface HeapSample {
  /** Share of the time the event loop was busy (0–1): the busier of the last two intervals. */
  readonly utilization: number;
  /** Bytes the heap holds now, in memory. */
  readonly heapBytes: number;
  /** Bytes it held after the last collection asked for here (0 before the first: a start leaves garbage too). */
  readonly heapBytesAfterLast: number;
}

export interface IdleHeapLimits {
  /** Busier than this (either of the last two intervals), the process is not idle. */
  readonly maxUtilization: number;
  /** The heap must have grown at least this much since the last collection to be worth one. */
  readonly minGrowthBytes: number;
}

export const IDLE_HEAP_LIMITS: IdleHeapLimits = { maxUtilization: 0.02, minGrowthBytes: 8 * 1024 * 1024 };

/** Collect when the process is quiet and its heap has grown enough since the last time. */
export function shouldCollect(sample: HeapSample, limits: IdleHeapLimits = IDLE_HEAP_LIMITS): boolean {
  return sample.utilization <= limits.maxUtilization && sample.heapBytes - sample.heapBytesAfterLast >= limits.minGrowthBytes;
}

export interface Collection {
  readonly beforeBytes: number;
  readonly afterBytes: number;
  readonly ms: number;
}

export interface IdleHeapWatch {
  stop(): void;
}

export interface IdleHeapOptions {
  readonly intervalMs?: number;
  readonly limits?: IdleHeapLimits;
  readonly onCollected?: (collection: Collection) => void;
}

const heapBytes = (): number => getHeapStatistics().total_physical_size;

/**
 * Ask V8 for a memory-reducing collection of this thread's heap. The session is disconnected
 * on a later turn: disconnecting inside the answer's callback deadlocks (the heap profiler's
 * agent is destroyed while its callback holds its lock; seen on Node 20).
 */
export function collectAllGarbage(): Promise<void> {
  const session = new Session();
  session.connect();
  return new Promise<void>((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (error) => {
      setImmediate(() => {
        session.disconnect();
        if (error) reject(error);
        else resolve();
      });
    });
  });
}

/** Check every `intervalMs` (0.5 s) on an unref'd timer; collect this thread's heap when `shouldCollect`. */
export function watchIdleHeap(options: IdleHeapOptions = {}): IdleHeapWatch {
  const limits = options.limits ?? IDLE_HEAP_LIMITS;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let previousUtilization = 1;
  let heapBytesAfterLast = 0;
  let collecting = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const bytes = heapBytes();
    // V8's own reducer may have shrunk the heap since: growth counts from the smallest seen.
    heapBytesAfterLast = Math.min(heapBytesAfterLast, bytes);
    const sample = { utilization: Math.max(utilization, previousUtilization), heapBytes: bytes, heapBytesAfterLast };
    previousUtilization = utilization;
    if (collecting || !shouldCollect(sample, limits)) return;
    collecting = true;
    const started = performance.now();
    collectAllGarbage()
      .then(() => {
        heapBytesAfterLast = heapBytes();
        options.onCollected?.({ beforeBytes: sample.heapBytes, afterBytes: heapBytesAfterLast, ms: performance.now() - started });
      })
      // A process without an inspector (node built without it) keeps V8's own schedule.
      .catch(() => {
        clearInterval(timer);
      })
      .finally(() => {
        collecting = false;
        // The collection's own pause is not the process being busy.
        last = performance.eventLoopUtilization();
      });
  }, options.intervalMs ?? 500);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
