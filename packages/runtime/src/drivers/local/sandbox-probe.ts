import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The path of a bubblewrap that can make the namespaces a sandbox needs here, or
 * undefined: not installed (Debian's `bubblewrap` package), or refused (a container
 * without the rights to make mount and pid namespaces).
 */
export function findBubblewrap(path = process.env['PATH'] ?? ''): string | undefined {
  const bwrap = path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'bwrap'))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false; // not in this PATH entry
      }
    });
  if (!bwrap) return undefined;
  const probe = spawnSync(bwrap, ['--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0 ? bwrap : undefined;
}
