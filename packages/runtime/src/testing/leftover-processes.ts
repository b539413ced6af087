import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { readRecord } from '../drivers/local/local-record.js';
import { isRunning, signalGroup } from '../drivers/local/process-identity.js';

/**
 * Kills what a closed paasd left running on the local runtime under its data dir: every
 * process its records still show running (pid and start time checked, so a reused pid is
 * never touched), with its whole process group. paasd leaves processes running on purpose,
 * for the next paasd on the same data dir to adopt; a test that removes the data dir has no
 * next paasd. Returns how many were killed.
 */
export async function killLeftoverProcesses(dataDir: string): Promise<number> {
  const processesDir = join(dataDir, 'local', 'processes');
  const ids = await readdir(processesDir).catch(() => [] as string[]);
  let killed = 0;
  for (const id of ids) {
    const record = await readRecord(join(processesDir, id));
    if (record === undefined || record.exit !== undefined || !(await isRunning(record.process))) continue;
    if (signalGroup(record.process.pid, 'SIGKILL')) killed += 1;
  }
  return killed;
}
