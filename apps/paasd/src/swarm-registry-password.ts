import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The password of the slug registry paasd runs on a swarm (PAAS_SWARM_REGISTRY): made on
 * the first start with a registry and kept in the data dir (mode 0600), so a restarted
 * paasd pushes to, and hands nodes the credentials of, the registry it made before. It
 * never leaves paasd but as the registry's Swarm secret and the services' pull credentials.
 */
export function swarmRegistryPassword(dataDir: string): string {
  const file = join(dataDir, 'swarm-registry.password');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(24).toString('base64url');
  try {
    // `wx`: two starts at once keep the first one's.
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8').trim();
  }
  return password;
}
