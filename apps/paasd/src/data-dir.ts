import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Where app code may pass through to reach its own dirs (processes' app dirs, builds, build caches). */
const PASSABLE = ['local', 'tmp', 'cache'];
/** paasd's alone, whatever the data dir's mode. */
const PRIVATE = ['repos', 'slugs', 'cache-slug-members', 'run'];

/**
 * Sets the modes of the data dir's top level. The store makes it 0700 (see openDatabase).
 * When app code runs on the host as app users without a sandbox, those users must reach
 * their app dirs and build dirs by path, so the data dir and the dirs leading to them
 * become 0711: passable, not listable. Everything an app may not read is then 0700 by
 * itself (the dirs here, paas.db 0600, each app's dirs 0700 and its user's).
 */
export async function layOutDataDir(dataDir: string, passable: boolean): Promise<void> {
  const mode = passable ? 0o711 : 0o700;
  for (const name of PASSABLE) {
    await mkdir(join(dataDir, name), { recursive: true, mode });
    await chmod(join(dataDir, name), mode);
  }
  for (const name of PRIVATE) {
    await mkdir(join(dataDir, name), { recursive: true, mode: 0o700 });
    await chmod(join(dataDir, name), 0o700);
  }
  await chmod(dataDir, mode);
}
