import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ProcessInfo } from '../../driver.js';
import type { ProcessIdentity } from './process-identity.js';

/**
 * What the local driver keeps about a process in `<dataDir>/processes/<id>/process.json`:
 * enough to list it, adopt it after a restart and tell its pid from a reused one.
 * The environment is deliberately not stored: config values are secrets.
 */
export interface ProcessRecord {
  readonly id: string;
  readonly app: string;
  readonly release: number;
  readonly type: string;
  readonly index: number;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly startedAt: string;
  readonly process: ProcessIdentity;
  /** Set once the process has ended (code null when nobody could see it). */
  readonly exit?: { readonly code: number | null; readonly signal: string | null };
}

/** Where a previous driver instance stopped reading the output files (written by close()). */
export interface TailOffsets {
  readonly stdout: number;
  readonly stderr: number;
}

export const RECORD_FILE = 'process.json';
export const OFFSETS_FILE = 'tail.json';

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const scratch = `${path}.${String(process.pid)}.tmp`;
  await writeFile(scratch, `${JSON.stringify(value, null, 2)}\n`);
  await rename(scratch, path);
}

export function writeRecord(dir: string, record: ProcessRecord): Promise<void> {
  return writeJsonAtomically(join(dir, RECORD_FILE), record);
}

/** The record, or undefined while a start is still writing it (or after a remove). */
export async function readRecord(dir: string): Promise<ProcessRecord | undefined> {
  const text = await readFile(join(dir, RECORD_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ProcessRecord;
  } catch {
    return undefined; // written atomically, so only a foreign file can be unreadable: not ours to list
  }
}

export function writeOffsets(dir: string, offsets: TailOffsets): Promise<void> {
  return writeJsonAtomically(join(dir, OFFSETS_FILE), offsets);
}

export async function readOffsets(dir: string): Promise<TailOffsets | undefined> {
  const text = await readFile(join(dir, OFFSETS_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TailOffsets;
  } catch {
    return undefined; // a damaged offsets file only means reading from the end instead
  }
}

export function toProcessInfo(record: ProcessRecord, running: boolean): ProcessInfo {
  const base = {
    id: record.id,
    app: record.app,
    release: record.release,
    type: record.type,
    index: record.index,
    name: record.name,
    address: { host: record.host, port: record.port },
    startedAt: record.startedAt,
  };
  if (running) return { ...base, status: 'running' };
  const code = record.exit?.code;
  return code === null || code === undefined ? { ...base, status: 'exited' } : { ...base, status: 'exited', exitCode: code };
}
