import type Docker from 'dockerode';

import { WRITES_LISTED, type ProcessUsage } from '../local/process-usage.js';

/** The parts of the Engine's one-shot container stats read for metrics. */
interface DockerStats {
  readonly memory_stats: { readonly usage?: number; readonly stats?: { readonly inactive_file?: number; readonly total_inactive_file?: number } };
  readonly cpu_stats: { readonly cpu_usage: { readonly total_usage?: number } };
}

/** How often a container's writes under /app are read, for the platform's warning about them. */
const WRITES_EVERY_MS = 60_000;

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** A container's writable layer size (bytes) and the files written under /app it gave. */
interface WritesSeen {
  readonly sizeRw: number;
  readonly writes: readonly string[];
  readonly at: number;
}

/** Memory (page cache left out) and CPU time of a container; undefined once it is gone or stopped. */
async function containerStats(container: Docker.Container): Promise<Pick<ProcessUsage, 'memoryMb' | 'cpuSeconds'>> {
  const stats = (await container.stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as DockerStats;
  const cache = stats.memory_stats.stats?.inactive_file ?? stats.memory_stats.stats?.total_inactive_file ?? 0;
  return {
    memoryMb: Math.round((Math.max(0, (stats.memory_stats.usage ?? 0) - cache) / 1048576) * 10) / 10,
    cpuSeconds: (stats.cpu_stats.cpu_usage.total_usage ?? 0) / 1e9,
  };
}

/** The files written under /app, from `docker diff`. */
async function appWrites(container: Docker.Container): Promise<string[]> {
  const changes = ((await container.changes()) ?? []) as { Path: string; Kind: number }[];
  // Kind 0 is a change, 1 an addition; deletions (2) are not writes that a restart would lose.
  return changes
    .filter((c) => c.Kind !== 2 && (c.Path === '/app' || c.Path.startsWith('/app/')))
    .map((c) => c.Path.slice('/app/'.length))
    .filter((p) => p !== '')
    .slice(0, WRITES_LISTED);
}

/**
 * Memory, CPU time and the files written under /app of the platform's containers, for
 * metrics. The written files come from `docker diff`, which the engine answers by walking
 * the container's whole filesystem against its image (1.3-1.8 s for an idle container of the
 * stack image here) while holding the container's lock: a stop, an inspection or a removal
 * of it waits that long. So the diff is asked for only when the writable layer's size
 * (`inspect?size=1`, which the engine computes after letting the container go: 24 ms) is not
 * zero and has changed since the last diff; both are read at most every WRITES_EVERY_MS per
 * process. An app that writes nothing, most of them, is never diffed.
 */
export interface UsageReader {
  read(docker: Docker, process: string, container: string): Promise<ProcessUsage | undefined>;
  /** The process ended: its next read, if any, is a first one. */
  forget(process: string): void;
}

export function createUsageReader(): UsageReader {
  const seen = new Map<string, WritesSeen>();
  const writesOf = async (process: string, container: Docker.Container, now: number): Promise<readonly string[]> => {
    const last = seen.get(process);
    if (last !== undefined && now - last.at < WRITES_EVERY_MS) return last.writes;
    // The types know only abortSignal; the engine reads `size` from the query dockerode builds of the options.
    const inspected = (await container.inspect({ size: true } as Docker.ContainerInspectOptions)) as { SizeRw?: number };
    const sizeRw = inspected.SizeRw ?? 0;
    const writes = sizeRw === 0 ? [] : last?.sizeRw === sizeRw ? last.writes : await appWrites(container);
    // Processes that ended and were never forgotten are asked no more: dropped once long stale.
    for (const [other, entry] of seen) if (now - entry.at > 10 * WRITES_EVERY_MS) seen.delete(other);
    seen.set(process, { sizeRw, writes, at: now });
    return writes;
  };
  return {
    async read(docker, process, id) {
      const container = docker.getContainer(id);
      try {
        const stats = await containerStats(container);
        return { ...stats, writes: await writesOf(process, container, Date.now()) };
      } catch (error) {
        if (statusOf(error) === 404 || statusOf(error) === 409) {
          seen.delete(process);
          return undefined; // gone, or not running
        }
        throw error;
      }
    },
    forget: (process) => seen.delete(process),
  };
}
