import type { AddonServiceName } from '../../provider.js';

/** Each plan's memory (MiB, as Docker counts `-m 512m`) unless PAAS_ADDON_*_MEMORY says otherwise. */
export const DEFAULT_MEMORY_MB: Readonly<Record<AddonServiceName, number>> = { postgresql: 512, redis: 256 };

/** Below this a server does not start reliably (PostgreSQL's own buffers and 100 connections' worth of backends). */
export const MIN_MEMORY_MB = 64;

/**
 * The server's own settings for a container limited to `memoryMb`, as arguments its entrypoint
 * passes on. PostgreSQL: a quarter for shared_buffers (the usual advice, leaving the rest to
 * backends and the page cache, which the limit also counts); the planner told the cache is
 * about half. Redis: three quarters as maxmemory, the rest for a fork's copy-on-write while
 * the append-only file is rewritten; `noeviction`, so a full Redis refuses writes instead of
 * dropping keys (Heroku's default too).
 */
export function serverMemorySettings(service: AddonServiceName, memoryMb: number): string[] {
  const mb = (fraction: number): string => `${String(Math.max(1, Math.floor(memoryMb * fraction)))}MB`;
  if (service === 'postgresql') {
    return ['-c', `shared_buffers=${mb(1 / 4)}`, '-c', `effective_cache_size=${mb(1 / 2)}`, '-c', `maintenance_work_mem=${mb(1 / 16)}`];
  }
  return ['--maxmemory', mb(3 / 4).toLowerCase(), '--maxmemory-policy', 'noeviction'];
}
