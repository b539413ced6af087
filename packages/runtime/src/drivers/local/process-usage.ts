import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What a process uses now, for metrics and the scorecard. */
export interface ProcessUsage {
  /** Resident memory of the process and everything in its group, in MB. */
  readonly memoryMb: number;
  /** CPU time used so far (user + system), seconds, of the whole group's live members. */
  readonly cpuSeconds: number;
  /** Files written in its app dir since it started (relative paths, at most WRITES_LISTED). */
  readonly writes?: readonly string[];
}

export const WRITES_LISTED = 200;
const MOST_ENTRIES = 5_000;

/** Clock ticks per second: USER_HZ is 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parens). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** Sums VmRSS and utime+stime over the live processes of group `pgid` (Linux /proc). */
export async function groupUsage(pgid: number): Promise<{ memoryMb: number; cpuSeconds: number } | undefined> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  let memoryKb = 0;
  let ticks = 0;
  let members = 0;
  await Promise.all(pids.map(async (pid) => {
    const statText = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (statText === undefined) return; // it ended while we looked
    const fields = statFields(statText);
    // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    if (Number(fields[2]) !== pgid) return;
    members += 1;
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    memoryKb += rss ? Number(rss[1]) : 0;
  }));
  if (members === 0) return undefined;
  return { memoryMb: Math.round((memoryKb / 1024) * 10) / 10, cpuSeconds: ticks / TICKS_PER_SECOND };
}

/**
 * Files in `dir` (an overlay's upper layer: exactly what the process wrote), as paths
 * relative to it; `base`, when given, a copy's source: files there of the same size and
 * mtime are not writes.
 */
export async function listWrites(dir: string, base?: string): Promise<string[]> {
  const found: string[] = [];
  // Entries looked at, files or not: a tree of many empty directories costs no more than this.
  let looked = 0;
  const walk = async (at: string): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.length >= WRITES_LISTED || (looked += 1) > MOST_ENTRIES) return;
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      // Overlay whiteouts (character devices) are deletions, not writes.
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const rel = relative(dir, path);
      if (base !== undefined) {
        const [mine, theirs] = await Promise.all([stat(path).catch(() => undefined), stat(join(base, rel)).catch(() => undefined)]);
        if (mine && theirs && mine.size === theirs.size && mine.mtimeMs === theirs.mtimeMs) continue;
      }
      found.push(rel);
    }
  };
  await walk(dir);
  return found.sort();
}
