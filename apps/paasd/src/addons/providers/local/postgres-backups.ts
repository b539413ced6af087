import { randomBytes } from 'node:crypto';

import type { BackupCapability } from '../../provider.js';
import { COUNT_SQL, DUMP_FLAGS, EMPTY_SCHEMA_SQL, RESTORE_FLAGS, createScratchSql, dropScratchSql, parseCounts } from '../postgres-sql.js';
import { runCommand } from './command-runner.js';
import type { InstanceRecord } from './instance-record.js';
import { instancePaths } from './instance-record.js';
import type { PostgresBinaries } from './postgres-majors.js';


export interface PostgresBackupDeps {
  /** The client tools of the instance's own major. */
  readonly binaries: (record: InstanceRecord) => PostgresBinaries;
  readonly instance: (id: string) => InstanceRecord;
  readonly psql: (record: InstanceRecord, sql: string, database?: string) => Promise<string>;
}

/** pg_dump -Fc, pg_restore into a scratch database to verify, pg_restore over the data to restore. */
export function createPostgresBackups({ binaries, instance, psql }: PostgresBackupDeps): BackupCapability {
  const connection = (record: InstanceRecord, database: string): string[] => ['-h', instancePaths(record.dir).run, '-p', String(record.port), '-U', 'postgres', '-d', database];
  const restoreInto = (record: InstanceRecord, database: string, file: string): Promise<string> =>
    runCommand(binaries(record).client.pg_restore, [...RESTORE_FLAGS, ...connection(record, database), file], { timeoutMs: 30 * 60_000 });
  /** The public schema, emptied and given back to the owner role (a dump brings its own objects). */
  const emptySchema = (record: InstanceRecord, database: string): Promise<string> => psql(record, EMPTY_SCHEMA_SQL, database);
  return {
    async capture(id, file) {
      const record = instance(id);
      await runCommand(binaries(record).client.pg_dump, [...DUMP_FLAGS, '-f', file, ...connection(record, record.database)], { timeoutMs: 30 * 60_000 });
    },
    async verify(id, file) {
      const record = instance(id);
      const scratch = `verify_${randomBytes(6).toString('hex')}`;
      await psql(record, createScratchSql(scratch), 'postgres');
      try {
        await emptySchema(record, scratch);
        await restoreInto(record, scratch, file);
        return parseCounts(await psql(record, COUNT_SQL, scratch));
      } finally {
        await psql(record, dropScratchSql(scratch), 'postgres');
      }
    },
    async restore(id, file) {
      const record = instance(id);
      await emptySchema(record, record.database);
      await restoreInto(record, record.database, file);
    },
  };
}
