import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { dataDirMajor, installedMajors, missingMajorReason, postgresBinaries } from './postgres-majors.js';

/** A root laid out as Debian's, with the given tools per major (empty files: only their presence counts). */
function rootWith(t: { after(fn: () => void): void }, majors: Record<string, readonly string[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'paas-majors-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [major, tools] of Object.entries(majors)) {
    mkdirSync(join(root, major, 'bin'), { recursive: true });
    for (const tool of tools) writeFileSync(join(root, major, 'bin', tool), '');
  }
  return root;
}

const FULL = ['postgres', 'initdb', 'psql', 'pg_dump', 'pg_restore', 'pg_isready'];

test('installed majors are those with a server, oldest first; other names and a missing root are not', (t) => {
  const root = rootWith(t, { '15': FULL, '9': FULL, '17': ['postgres', 'initdb'], '16': ['psql'], common: FULL });
  assert.deepEqual(installedMajors(root), [9, 15, 17]);
  assert.deepEqual(installedMajors(join(root, 'nowhere')), []);
});

test("a major's binaries are its own; a client tool it lacks comes from the nearest newer major, else the newest older one", (t) => {
  const root = rootWith(t, { '13': FULL, '15': FULL, '17': ['postgres', 'initdb'], '18': ['postgres', 'initdb', 'pg_dump'] });
  assert.deepEqual(postgresBinaries(root, 15), {
    major: 15,
    serverBin: join(root, '15', 'bin'),
    client: { psql: join(root, '15', 'bin', 'psql'), pg_dump: join(root, '15', 'bin', 'pg_dump'), pg_restore: join(root, '15', 'bin', 'pg_restore'), pg_isready: join(root, '15', 'bin', 'pg_isready') },
  });
  const seventeen = postgresBinaries(root, 17);
  assert.equal(seventeen?.serverBin, join(root, '17', 'bin'));
  assert.equal(seventeen.client.pg_dump, join(root, '18', 'bin', 'pg_dump'));
  assert.equal(seventeen.client.psql, join(root, '15', 'bin', 'psql'));
  assert.equal(postgresBinaries(root, 16), undefined);
});

test("a data dir's major is its PG_VERSION; none before initdb", (t) => {
  const root = rootWith(t, {});
  assert.equal(dataDirMajor(root), undefined);
  writeFileSync(join(root, 'PG_VERSION'), '15\n');
  assert.equal(dataDirMajor(root), 15);
});

test('a missing major says which package to install, what is installed, and that the data is untouched', (t) => {
  const root = rootWith(t, { '17': FULL });
  assert.equal(
    missingMajorReason(15, root),
    `its data is a PostgreSQL 15 cluster and ${join(root, '15', 'bin', 'postgres')} is not installed (installed: 17): apt-get install postgresql-15, then restart paasd. The server was not started; its data is untouched.`,
  );
});
