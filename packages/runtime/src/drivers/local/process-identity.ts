import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';

/**
 * Who a pid is, from Linux's /proc: a pid is reused after its process ends, so a
 * recorded pid names the same process only while its start time (clock ticks after
 * boot, field 22 of /proc/<pid>/stat) and the boot id match what was recorded.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
  readonly bootId: string;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: string;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseStat(text);
}

function parseStat(text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  const startTime = fields[19];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTime };
}

let bootId: string | undefined;
function readBootId(): string {
  bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return bootId;
}

/**
 * The identity of a pid we just spawned. Synchronous on purpose: until the event loop
 * turns, Node cannot reap the child, so even one that exits at once is still readable.
 */
export function identifyChild(pid: number): ProcessIdentity {
  const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const stat = parseStat(text);
  if (!stat) throw new Error(`cannot read /proc/${String(pid)}/stat`);
  return { pid, startTime: stat.startTime, bootId: readBootId() };
}

/** True while the recorded process runs (a zombie has ended: it only waits to be reaped). */
export async function isRunning(identity: ProcessIdentity): Promise<boolean> {
  if (identity.bootId !== readBootId()) return false;
  const stat = await readStat(identity.pid);
  return stat !== undefined && stat.startTime === identity.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * True while any live process belongs to the process group. `kill(-pgid, 0)` is not
 * enough: it also counts zombies, which linger where PID 1 does not reap orphans.
 */
export async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // ESRCH: nobody is left in the group
  }
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const stat = await readStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: the group has no members left (EPERM cannot happen: we started it)
    return false;
  }
}
