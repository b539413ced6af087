import type Docker from 'dockerode';

import type { ProcessUsage } from '../local/process-usage.js';

/** The parts of the Engine's one-shot container stats read for metrics. */
interface DockerStats {
  readonly memory_stats: { readonly usage?: number; readonly stats?: { readonly inactive_file?: number; readonly total_inactive_file?: number } };
  readonly cpu_stats: { readonly cpu_usage: { readonly total_usage?: number } };
}

/** How often a container's writes under /app are read, for the platform's warning about them. */
const WRITES_EVERY_MS = 60_000;

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/**
 * Memory (page cache left out), CPU time and, with `withWrites`, the files written under /app
 * of a container; undefined once it is gone or stopped. The writes come from `docker diff`,
 * which the engine answers by walking the container's whole filesystem against its image
 * (1.2 s for an idle container of the stack image here) while holding the container: callers
 * ask for them seldom.
 */
export async function containerUsage(docker: Docker, id: string, withWrites = true): Promise<ProcessUsage | undefined> {
  const container = docker.getContainer(id);
  try {
    const stats = (await container.stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as DockerStats;
    const changes = withWrites ? (((await container.changes()) ?? []) as { Path: string; Kind: number }[]) : undefined;
    // Kind 0 is a change, 1 an addition; deletions (2) are not writes that a restart would lose.
    const writes = changes?.filter((c) => c.Kind !== 2 && (c.Path === '/app' || c.Path.startsWith('/app/'))).map((c) => c.Path.slice('/app/'.length)).filter((p) => p !== '');
    const cache = stats.memory_stats.stats?.inactive_file ?? stats.memory_stats.stats?.total_inactive_file ?? 0;
    return {
      memoryMb: Math.round((Math.max(0, (stats.memory_stats.usage ?? 0) - cache) / 1048576) * 10) / 10,
      cpuSeconds: (stats.cpu_stats.cpu_usage.total_usage ?? 0) / 1e9,
      ...(writes ? { writes: writes.slice(0, 200) } : {}),
    };
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 409) return undefined; // gone, or not running
    throw error;
  }
}

/** `containerUsage` with the writes read at most every WRITES_EVERY_MS per process. */
export interface UsageReader {
  read(docker: Docker, process: string, container: string): Promise<ProcessUsage | undefined>;
  /** The process ended: its next read, if any, is a first one. */
  forget(process: string): void;
}

export function createUsageReader(): UsageReader {
  const writesReadAt = new Map<string, number>();
  return {
    async read(docker, process, container) {
      const now = Date.now();
      const due = now - (writesReadAt.get(process) ?? Number.NEGATIVE_INFINITY) >= WRITES_EVERY_MS;
      const used = await containerUsage(docker, container, due);
      if (!used) writesReadAt.delete(process);
      else if (due) {
        // Processes that ended and were never forgotten are asked no more: dropped once long stale.
        for (const [other, at] of writesReadAt) if (now - at > 10 * WRITES_EVERY_MS) writesReadAt.delete(other);
        writesReadAt.set(process, now);
      }
      return used;
    },
    forget: (process) => writesReadAt.delete(process),
  };
}
