import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's layout, and where PostgreSQL majors are looked up unless configured otherwise. */
export const DEFAULT_POSTGRES_ROOT = '/usr/lib/postgresql';

export type ClientTool = 'psql' | 'pg_dump' | 'pg_restore' | 'pg_isready';
const CLIENT_TOOLS: readonly ClientTool[] = ['psql', 'pg_dump', 'pg_restore', 'pg_isready'];

/** The binaries one add-on's server and the platform's admin work on it use. */
export interface PostgresBinaries {
  readonly major: number;
  /** `<root>/<major>/bin`: postgres and initdb. */
  readonly serverBin: string;
  readonly client: Readonly<Record<ClientTool, string>>;
}

/** The majors a server can be run from (`<root>/<major>/bin/postgres` exists), oldest first. */
export function installedMajors(root: string): number[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres')))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The major a data dir was made by (its `PG_VERSION`), or undefined when it holds no cluster yet. */
export function dataDirMajor(data: string): number | undefined {
  try {
    const major = Number(readFileSync(join(data, 'PG_VERSION'), 'utf8').trim());
    return Number.isInteger(major) && major > 0 ? major : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The package a host needs for a major, said in every message about a missing one. */
export const postgresPackage = (major: number): string => `postgresql-${String(major)}`;

/**
 * A major's binaries, or undefined when its server is not installed under `root`.
 * A client tool the major lacks (a server-only build) is taken from the nearest newer
 * major that has it, else from the newest older one: libpq talks to newer servers, and
 * an older pg_restore restores its own dumps into a newer server (an older pg_dump,
 * though, refuses a newer server: such a host needs the major's own client package).
 */
export function postgresBinaries(root: string, major: number): PostgresBinaries | undefined {
  const serverBin = join(root, String(major), 'bin');
  if (!existsSync(join(serverBin, 'postgres'))) return undefined;
  const others = installedMajors(root).filter((m) => m !== major);
  const order = [major, ...others.filter((m) => m > major), ...others.filter((m) => m < major).reverse()];
  const client = Object.fromEntries(
    CLIENT_TOOLS.map((tool) => {
      const found = order.map((m) => join(root, String(m), 'bin', tool)).find((path) => existsSync(path));
      return [tool, found ?? join(serverBin, tool)];
    }),
  ) as Record<ClientTool, string>;
  return { major, serverBin, client };
}

/** Why an add-on's server cannot start on this host: what is missing and what to install. */
export function missingMajorReason(major: number, root: string): string {
  const installed = installedMajors(root);
  return (
    `its data is a PostgreSQL ${String(major)} cluster and ${join(root, String(major), 'bin', 'postgres')} is not installed ` +
    `(installed: ${installed.length === 0 ? 'none' : installed.join(', ')}): apt-get install ${postgresPackage(major)}, then restart paasd. ` +
    'The server was not started; its data is untouched.'
  );
}
