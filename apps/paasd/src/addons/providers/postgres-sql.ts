/**
 * The SQL both providers send to a PostgreSQL add-on server (through psql's stdin, as
 * the superuser over a trusted socket). Only platform-made names and secrets go into it,
 * each checked against a strict pattern first.
 */

/** Role and database names the platform makes: lower-case hex after a letter, safe as SQL identifiers. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const SECRET = /^[A-Za-z0-9_-]{32,200}$/;

export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a platform identifier: ${name.slice(0, 80)}`);
  return `"${name}"`;
}

function secret(value: string): string {
  if (!SECRET.test(value)) throw new Error('not a platform secret');
  return `'${value}'`;
}

/** The role every binding's user is a member of and acts as: it owns the database and all it holds. */
export const OWNER = 'owner';

export const databaseExistsSql = (database: string): string => `SELECT 1 FROM pg_database WHERE datname = '${identifier(database).slice(1, -1)}'`;

/** Run in the `postgres` database: the owner role and the add-on's database. */
export const createDatabaseSql = (database: string): string =>
  `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${OWNER}') THEN CREATE ROLE ${identifier(OWNER)} NOLOGIN; END IF; END $$;\nCREATE DATABASE ${identifier(database)} OWNER ${identifier(OWNER)};\n`;

/** Run in the add-on's database: its public schema is the owner's, nobody else may connect. */
export const lockDownDatabaseSql = (database: string): string => `ALTER SCHEMA public OWNER TO ${identifier(OWNER)};\nREVOKE ALL ON DATABASE ${identifier(database)} FROM PUBLIC;\n`;

/** Run in `postgres`: makes (or makes again) a binding's login role, acting as the owner. */
export const bindSql = (user: string, password: string, database: string): string => {
  const role = identifier(user);
  return (
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$;\n` +
    `ALTER ROLE ${role} WITH LOGIN PASSWORD ${secret(password)};\nGRANT ${identifier(OWNER)} TO ${role};\nALTER ROLE ${role} SET role = ${identifier(OWNER)};\n` +
    `GRANT CONNECT ON DATABASE ${identifier(database)} TO ${role};\n`
  );
};

/** Writes stop at a snapshot: anything written after it would not be in what is made from it. Open sessions are ended so none keeps writing. */
export const freezeDatabaseSql = (database: string): string =>
  `ALTER DATABASE ${identifier(database)} SET default_transaction_read_only = on;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${identifier(database).slice(1, -1)}' AND usename <> 'postgres';\n`;
export const thawDatabaseSql = (database: string): string => `ALTER DATABASE ${identifier(database)} RESET default_transaction_read_only;\n`;

export const roleExistsSql = (user: string): string => `SELECT 1 FROM pg_roles WHERE rolname = '${identifier(user).slice(1, -1)}'`;

/**
 * Removing a binding's role, in three steps and the databases they run in: no new
 * sessions and the open ones ended (`postgres`); whatever it came to own (a table made
 * after RESET ROLE) handed to the owner role, so dropping it loses no data (the add-on's
 * database); the role dropped (`postgres`).
 */
export const unbindSteps = (user: string): { sql: string; inAddonDatabase: boolean }[] => {
  const role = identifier(user);
  return [
    { sql: `ALTER ROLE ${role} NOLOGIN;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '${user}';\n`, inAddonDatabase: false },
    { sql: `REASSIGN OWNED BY ${role} TO ${identifier(OWNER)};\nDROP OWNED BY ${role};\n`, inAddonDatabase: true },
    { sql: `DROP ROLE ${role};\n`, inAddonDatabase: false },
  ];
};

export const INFO_SQL = `SELECT current_setting('server_version'), pg_size_pretty(pg_database_size(current_database())), (SELECT count(*) FROM pg_stat_user_tables), (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())`;

export function parseInfo(output: string): Record<string, string> {
  const row = output.trim().split('|');
  return { Version: row[0] ?? '', 'Data Size': row[1] ?? '', Tables: row[2] ?? '', Connections: row[3] ?? '' };
}

/** Every user table and its exact row count, in one query (no table name goes through a string here). */
export const COUNT_SQL = `SELECT count(*), COALESCE(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;

export function parseCounts(output: string): { tables: number; rows: number } {
  const [tables, rows] = output.trim().split('|').map(Number);
  return { tables: tables ?? 0, rows: rows ?? 0 };
}

/** The public schema, emptied and given back to the owner role (a dump brings its own objects). */
export const EMPTY_SCHEMA_SQL = `DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public AUTHORIZATION ${identifier(OWNER)};\n`;

export const createScratchSql = (name: string): string => `CREATE DATABASE ${identifier(name)} OWNER ${identifier(OWNER)};\n`;
export const dropScratchSql = (name: string): string => `DROP DATABASE IF EXISTS ${identifier(name)} WITH (FORCE);\n`;

/** pg_restore's flags: objects owned by (and acting as) the owner role, stopping at the first error. */
export const RESTORE_FLAGS = ['--no-owner', '--no-acl', `--role=${OWNER}`, '--exit-on-error'];
export const DUMP_FLAGS = ['-Fc', '--no-owner', '--no-acl'];
