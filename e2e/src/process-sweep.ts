import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What the local driver records about a process (`<dataDir>/local/processes/<id>/process.json`), as far as needed here. */
interface ProcessRecord {
  readonly process?: { readonly pid?: unknown; readonly startTime?: unknown };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined when there is no such process. */
async function startTimeOf(pid: number): Promise<string | undefined> {
  const text = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => undefined);
  return text?.slice(text.lastIndexOf(')') + 2).split(' ')[19];
}

/**
 * Kills the process group of every app process the local driver recorded in this data
 * dir that still runs: what a failed teardown left behind. A pid counts as ours only
 * while its start time is the recorded one, so a reused pid is left alone.
 */
export async function killLeftoverProcesses(dataDir: string): Promise<void> {
  const root = join(dataDir, 'local', 'processes');
  const ids = await readdir(root).catch(() => [] as string[]);
  for (const id of ids) {
    const text = await readFile(join(root, id, 'process.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let record: ProcessRecord;
    try {
      record = JSON.parse(text) as ProcessRecord;
    } catch {
      continue; // a record being rewritten at this instant belongs to a process paasd stopped anyway
    }
    const { pid, startTime } = record.process ?? {};
    if (typeof pid !== 'number' || typeof startTime !== 'string' || (await startTimeOf(pid)) !== startTime) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // it ended between the check and the kill: nothing left to do
    }
  }
}
