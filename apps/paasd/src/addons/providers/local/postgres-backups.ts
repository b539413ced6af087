import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import type { BackupCapability } from '../../provider.js';
import { runCommand } from './command-runner.js';
import type { InstanceRecord } from './instance-record.js';
import { instancePaths } from './instance-record.js';

/** Every user table and its exact row count, in one query (no table name goes through a string here). */
const COUNT_SQL = `SELECT count(*), COALESCE(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;

export interface PostgresBackupDeps {
  readonly bin: string;
  readonly instance: (id: string) => InstanceRecord;
  readonly psql: (record: InstanceRecord, sql: string, database?: string) => Promise<string>;
}

/** pg_dump -Fc, pg_restore into a scratch database to verify, pg_restore over the data to restore. */
export function createPostgresBackups({ bin, instance, psql }: PostgresBackupDeps): BackupCapability {
  const connection = (record: InstanceRecord, database: string): string[] => ['-h', instancePaths(record.dir).run, '-p', String(record.port), '-U', 'postgres', '-d', database];
  const restoreInto = (record: InstanceRecord, database: string, file: string): Promise<string> =>
    runCommand(join(bin, 'pg_restore'), ['--no-owner', '--no-acl', '--role=owner', '--exit-on-error', ...connection(record, database), file], { timeoutMs: 30 * 60_000 });
  /** The public schema, emptied and given back to the owner role (a dump brings its own objects). */
  const emptySchema = (record: InstanceRecord, database: string): Promise<string> =>
    psql(record, 'DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public AUTHORIZATION "owner";\n', database);
  return {
    async capture(id, file) {
      const record = instance(id);
      await runCommand(join(bin, 'pg_dump'), ['-Fc', '--no-owner', '--no-acl', '-f', file, ...connection(record, record.database)], { timeoutMs: 30 * 60_000 });
    },
    async verify(id, file) {
      const record = instance(id);
      const scratch = `verify_${randomBytes(6).toString('hex')}`;
      await psql(record, `CREATE DATABASE "${scratch}" OWNER "owner";\n`, 'postgres');
      try {
        await emptySchema(record, scratch);
        await restoreInto(record, scratch, file);
        const [tables, rows] = (await psql(record, COUNT_SQL, scratch)).trim().split('|').map(Number);
        return { tables: tables ?? 0, rows: rows ?? 0 };
      } finally {
        await psql(record, `DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE);\n`, 'postgres');
      }
    },
    async restore(id, file) {
      const record = instance(id);
      await emptySchema(record, record.database);
      await restoreInto(record, record.database, file);
    },
  };
}
