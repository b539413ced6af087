import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import { findNetrcEntry, removeNetrcEntry, upsertNetrcEntry } from './netrc.js';
import type { NetrcCredentials } from './netrc.js';

/** `$HOME/.netrc`; $HOME wins over the password database so tests can use a temp dir. */
export function netrcPath(env: NodeJS.ProcessEnv): string {
  return join(env.HOME ?? homedir(), '.netrc');
}

export async function readNetrcText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** The password stored for `machine`, if any. */
export async function readNetrcPassword(path: string, machine: string): Promise<string | undefined> {
  return findNetrcEntry(await readNetrcText(path), machine)?.password;
}

/**
 * Writes through a temp file and a rename, so a crash never leaves a half-written
 * netrc, and the file is mode 0600 from its first byte (curl and git refuse to read
 * credentials others can read on some systems; nobody else should see them anyway).
 */
export async function writeNetrcText(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.netrc.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600); // the umask may have narrowed it further; make it exact
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function saveNetrcCredentials(path: string, credentials: NetrcCredentials): Promise<void> {
  await writeNetrcText(path, upsertNetrcEntry(await readNetrcText(path), credentials));
}

/** Removes the machine's entry; resolves false when there was none. */
export async function removeNetrcCredentials(path: string, machine: string): Promise<boolean> {
  const text = await readNetrcText(path);
  const next = removeNetrcEntry(text, machine);
  if (next === text) return false;
  await writeNetrcText(path, next);
  return true;
}
