import type { DynoResource, FormationResource } from '@paas/core';

import { formatRelativeTime, formatTimeUntil } from './relative-time.js';
import { formatHeader } from './table.js';

/** One-off processes (`paas run`) are named `run.N` and belong to no formation. */
const ONE_OFF_TYPE = 'run';

/** The processes of one type, as paas ps shows them under one header. */
export interface ProcessGroup {
  readonly type: string;
  /** From the formation; undefined for processes outside it (one-offs). */
  readonly size: string | undefined;
  readonly command: string;
  readonly dynos: readonly DynoResource[];
}

/**
 * Groups processes by type: `web` first, other types by name, one-off processes
 * last; each group in process order (web.2 before web.10). The header's command and
 * size are the formation's, which is what the processes converge to.
 */
export function groupProcesses(dynos: readonly DynoResource[], formation: readonly FormationResource[]): ProcessGroup[] {
  const byType = new Map<string, DynoResource[]>();
  for (const dyno of dynos) {
    const group = byType.get(dyno.type) ?? [];
    group.push(dyno);
    byType.set(dyno.type, group);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => typeRank(a) - typeRank(b) || a.localeCompare(b))
    .map(([type, members]) => {
      const entry = formation.find((candidate) => candidate.type === type);
      const sorted = [...members].sort((a, b) => processIndex(a.name) - processIndex(b.name) || a.name.localeCompare(b.name));
      return { type, size: entry?.size, command: entry?.command ?? sorted[0]?.command ?? '', dynos: sorted };
    });
}

/**
 * heroku ps: per type a `=== web (standard): node server.js (2)` header and a line
 * per process, a blank line between types.
 */
export function formatProcessList(groups: readonly ProcessGroup[], now: Date = new Date()): string[] {
  return groups.flatMap((group, i) => [
    ...(i > 0 ? [''] : []),
    formatHeader(groupTitle(group)),
    ...group.dynos.map((dyno) => formatProcessLine(dyno, group.type === ONE_OFF_TYPE, now)),
  ]);
}

function groupTitle(group: ProcessGroup): string {
  const count = `(${String(group.dynos.length)})`;
  if (group.type === ONE_OFF_TYPE && group.size === undefined) return `${group.type}: one-off processes ${count}`;
  const size = group.size === undefined ? '' : ` (${group.size})`;
  return `${group.type}${size}: ${group.command} ${count}`;
}

/**
 * `web.1: up 2026/11/22 03:07:09 (~ 5m ago)  v5`, with the node it runs on (Swarm), the next restart of a crashed
 * process, and the command of a one-off (which its header does not name). Times are
 * UTC, like the log lines of paas logs.
 */
export function formatProcessLine(dyno: DynoResource, oneOff: boolean, now: Date = new Date()): string {
  const parts = [`${dyno.name}: ${dyno.state} ${formatSince(dyno.created_at, now)}`, `v${String(dyno.release.version)}`];
  // Only runtimes that span several machines (Swarm) say where a process runs.
  if (dyno.node !== undefined) parts.push(`on ${dyno.node}`);
  if (dyno.state === 'crashed' && dyno.restart_at !== undefined) {
    const until = formatTimeUntil(dyno.restart_at, now);
    parts.push(until === 'now' ? 'restarting now' : `restarts ${until.replace(/^in /, 'in ~ ')}`);
  }
  if (oneOff) parts.push(dyno.command);
  return parts.join('  ');
}

/** `2026/11/22 03:07:09 (~ 5m ago)`, as heroku ps writes the time a state began. */
function formatSince(iso: string, now: Date): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  const stamp = then.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
  const age = formatRelativeTime(iso, now);
  if (age === 'just now') return `${stamp} (just now)`;
  return age.endsWith(' ago') ? `${stamp} (~ ${age})` : stamp;
}

function typeRank(type: string): number {
  if (type === 'web') return 0;
  return type === ONE_OFF_TYPE ? 2 : 1;
}

function processIndex(name: string): number {
  const index = Number(name.slice(name.lastIndexOf('.') + 1));
  return Number.isInteger(index) ? index : Number.MAX_SAFE_INTEGER;
}
