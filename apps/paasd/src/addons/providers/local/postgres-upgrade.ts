import { spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { PaasError } from '@paas/core';

import type { UpgradeSnapshot } from '../../provider.js';
import { COUNT_SQL, EMPTY_SCHEMA_SQL, RESTORE_FLAGS, bindSql, createDatabaseSql, freezeDatabaseSql, lockDownDatabaseSql, parseCounts, thawDatabaseSql } from '../postgres-sql.js';
import { runCommand } from './command-runner.js';
import type { InstanceRecord } from './instance-record.js';
import { instancePaths, writeInstance } from './instance-record.js';
import type { PostgresEngine } from './postgres-engine.js';
import { userLookupEnv } from './postgres-engine.js';
import { installedMajors, postgresBinaries, postgresPackage } from './postgres-majors.js';

export interface MajorUpgradeDeps {
  readonly postgres: PostgresEngine;
  readonly root: string;
  /** Stops the instance's supervised server and waits for it to exit. */
  readonly stopServer: (record: InstanceRecord) => Promise<void>;
  /** Starts (supervises) the instance's server as the record says and waits until it is ready. */
  readonly startServer: (record: InstanceRecord) => Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Kept beside `data` after an upgrade, so it can be undone by hand. */
export const keptDataDir = (dir: string, major: number): string => join(dir, `data.${String(major)}`);

/** The checks before anything happens: each refusal says why and that nothing changed. */
export function checkUpgrade(root: string, record: InstanceRecord, current: number, major: number): void {
  const installed = installedMajors(root);
  const bins = postgresBinaries(root, major);
  if (!installed.includes(major) || !bins || !existsSync(join(bins.serverBin, 'initdb'))) {
    throw new PaasError('invalid_params', `PostgreSQL ${String(major)} is not installed on this host (installed: ${installed.join(', ') || 'none'}): apt-get install ${postgresPackage(major)} first. Nothing was changed.`);
  }
  if (major <= current) {
    throw new PaasError('invalid_params', `This add-on runs PostgreSQL ${String(current)}: pg:upgrade moves to a newer major only (given ${String(major)}). Nothing was changed.`);
  }
  if (existsSync(keptDataDir(record.dir, current))) {
    throw new PaasError('conflict', `${keptDataDir(record.dir, current)} exists (kept from an earlier upgrade): move it away first. Nothing was changed.`);
  }
}

/** Starts a server on the new cluster with no TCP listener (only the platform reaches it, by its socket); resolves with a stop function. */
async function startScratchServer(deps: MajorUpgradeDeps, record: InstanceRecord, data: string, socketDir: string): Promise<() => Promise<void>> {
  const bins = deps.postgres.binaries(record);
  const log = openSync(instancePaths(record.dir).log, 'a', 0o600);
  const child = spawn(join(bins.serverBin, 'postgres'), deps.postgres.serverArgs(record, data, socketDir, false), {
    cwd: data,
    env: { LANG: 'C.UTF-8', PATH: '/usr/bin:/bin', ...userLookupEnv(record) },
    stdio: ['ignore', log, log],
    shell: false,
    ...(record.uid === undefined ? {} : { uid: record.uid }),
    ...(record.gid === undefined ? {} : { gid: record.gid }),
  });
  closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined); // an exec failure shows as the server never getting ready
  void exit.then(() => (exited = true));
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGINT');
    await exit;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = await runCommand(bins.client.pg_isready, ['-q', '-h', socketDir, '-p', String(record.port)], { timeoutMs: 5000 }).then(() => true, () => false);
    if (ready) return stop;
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the PostgreSQL ${String(record.postgresMajor)} server on the new cluster did not start (see ${instancePaths(record.dir).log})`);
    }
    await sleep(100);
  }
}

/** The new cluster gets the database, the owner role and every binding's role with its same password, then the snapshot. */
async function fillCluster(deps: MajorUpgradeDeps, record: InstanceRecord, socketDir: string, snapshot: UpgradeSnapshot): Promise<void> {
  const psql = (sql: string, database: string): Promise<string> => deps.postgres.psql(record, sql, database, socketDir);
  await psql(createDatabaseSql(record.database), 'postgres');
  await psql(lockDownDatabaseSql(record.database), record.database);
  // The same passwords: every attached app's URL stays valid, no release is needed.
  for (const { user, password } of Object.values(record.bindings)) await psql(bindSql(user, password, record.database), 'postgres');
  await psql(EMPTY_SCHEMA_SQL, record.database);
  // The restoring pg_restore may be an older major's (a server-only build has none): it restores its own dumps into a newer server.
  await runCommand(deps.postgres.binaries(record).client.pg_restore, [...RESTORE_FLAGS, '-h', socketDir, '-p', String(record.port), '-U', 'postgres', '-d', record.database, snapshot.file], { timeoutMs: 30 * 60_000 });
  const counts = parseCounts(await psql(COUNT_SQL, record.database));
  if (counts.tables !== snapshot.tables || counts.rows !== snapshot.rows) {
    throw new Error(`the restored data has ${String(counts.tables)} tables and ${String(counts.rows)} rows where the snapshot had ${String(snapshot.tables)} and ${String(snapshot.rows)}`);
  }
}

/**
 * pg:upgrade on the local provider: the database made read-only, a verified snapshot, a
 * new cluster by the new major's initdb beside the old one, the snapshot restored into it
 * with the same roles and passwords, its counts checked, then the swap on the same port.
 * The old cluster is kept as `data.<old major>`. On any failure before the swap the old
 * server never stopped; after it, the old cluster is put back and started again.
 */
export async function upgradeMajor(deps: MajorUpgradeDeps, record: InstanceRecord, major: number, snapshot: () => Promise<UpgradeSnapshot>): Promise<{ from: number; to: number; kept: string }> {
  const from = deps.postgres.majorOf(record) ?? 0;
  checkUpgrade(deps.root, record, from, major);
  const paths = instancePaths(record.dir);
  const next: InstanceRecord = { ...record, postgresMajor: major };
  const newData = join(record.dir, `data.${String(major)}.new`);
  const socketDir = join(record.dir, 'run.upgrade');
  const kept = keptDataDir(record.dir, from);
  const failed = (step: string, error: unknown): PaasError =>
    error instanceof PaasError ? error : new PaasError('conflict', `Upgrading to PostgreSQL ${String(major)} failed while ${step}: ${error instanceof Error ? error.message : String(error)}. PostgreSQL ${String(from)} runs on with the data unchanged.`);

  await deps.postgres.psql(record, freezeDatabaseSql(record.database), 'postgres').catch((error: unknown) => {
    throw failed('making the database read-only for the snapshot', error);
  });
  const thaw = (): Promise<unknown> => deps.postgres.psql(record, thawDatabaseSql(record.database), 'postgres');
  let stopScratch: (() => Promise<void>) | undefined;
  try {
    const taken = await snapshot().catch((error: unknown) => {
      throw error instanceof PaasError ? error : failed('taking the snapshot', error);
    });
    for (const dir of [newData, socketDir]) {
      rmSync(dir, { recursive: true, force: true }); // left by an attempt that was cut off
      mkdirSync(dir, { mode: 0o700 });
      if (record.uid !== undefined) chownSync(dir, record.uid, record.gid ?? record.uid);
    }
    let step = `making the new cluster (${postgresPackage(major)}'s initdb)`;
    try {
      await deps.postgres.initCluster(next, newData, deps.postgres.binaries(next));
      step = 'starting the new cluster';
      stopScratch = await startScratchServer(deps, next, newData, socketDir);
      step = 'restoring the snapshot into it';
      await fillCluster(deps, next, socketDir, taken);
      await stopScratch();
      stopScratch = undefined;
    } catch (error) {
      await stopScratch?.();
      rmSync(newData, { recursive: true, force: true });
      throw failed(step, error);
    }
  } catch (error) {
    await thaw();
    throw error;
  } finally {
    rmSync(socketDir, { recursive: true, force: true });
  }

  // The swap: the same data path, port and credentials, the new major's server.
  await deps.stopServer(record);
  renameSync(paths.data, kept);
  renameSync(newData, paths.data);
  writeInstance(next);
  try {
    await deps.startServer(next);
  } catch (error) {
    await deps.stopServer(next);
    renameSync(paths.data, newData);
    renameSync(kept, paths.data);
    writeInstance(record);
    await deps.startServer(record);
    await thaw();
    throw failed('starting the new cluster in place of the old one', error);
  }
  return { from, to: major, kept };
}
