import { randomUUID } from 'node:crypto';

import { notFound } from '@paas/core';

import type { Db } from './database.js';
import { now, writer } from './database.js';
import type { EventStore } from './event-store.js';

export type CertificateSource = 'uploaded' | 'acm';

/** A certificate as checked by the API: what it covers, who issued it, when it ends. */
export interface NewCertificate {
  readonly hostnames: readonly string[];
  /** PEM: the leaf first, then intermediates. */
  readonly chain: string;
  readonly privateKey: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface CertificateRecord extends NewCertificate {
  readonly id: string;
  readonly appId: string;
  readonly source: CertificateSource;
  readonly createdAt: string;
}

/** Where ACME stands for one host name of an app. */
export type AcmStatus = 'pending' | 'cert issued' | 'failing';

export interface AcmHostRecord {
  readonly hostname: string;
  readonly appId: string;
  readonly status: AcmStatus;
  readonly lastError: string | null;
  /** Failed orders in a row: the backoff grows with it. */
  readonly failures: number;
  /** No order before this (backoff after a failure); null: whenever one is due. */
  readonly nextAttemptAt: string | null;
  readonly updatedAt: string;
}

export interface AcmeAccountRecord {
  readonly directory: string;
  readonly accountKey: string;
  readonly accountUrl: string | null;
}

export interface CertificateStore {
  add(app: { id: string; name: string }, certificate: NewCertificate, actor: string): CertificateRecord;
  list(appId?: string): CertificateRecord[];
  remove(app: { id: string; name: string }, id: string, actor: string): CertificateRecord;
  /** Stores a certificate ACME issued for `hostname`, replacing the one it issued before, in one step. */
  replaceAcm(app: { id: string; name: string }, hostname: string, certificate: NewCertificate): CertificateRecord;
  acmHosts(appId?: string): AcmHostRecord[];
  setAcmHost(app: { id: string }, hostname: string, state: Pick<AcmHostRecord, 'status' | 'lastError' | 'failures' | 'nextAttemptAt'>): void;
  /** Forgets ACME's state (and certificates) for host names the app no longer has. */
  pruneAcm(appId: string, keep: readonly string[]): void;
  account(directory: string): AcmeAccountRecord | undefined;
  saveAccount(account: AcmeAccountRecord): void;
}

interface CertificateRow {
  id: string;
  app_id: string;
  source: CertificateSource;
  hostnames: string;
  chain: string;
  private_key: string;
  issuer: string;
  not_before: string;
  not_after: string;
  created_at: string;
}

interface AcmHostRow {
  hostname: string;
  app_id: string;
  status: AcmStatus;
  last_error: string | null;
  failures: number;
  next_attempt_at: string | null;
  updated_at: string;
}

const toCertificate = (row: CertificateRow): CertificateRecord => ({
  id: row.id,
  appId: row.app_id,
  source: row.source,
  hostnames: JSON.parse(row.hostnames) as string[],
  chain: row.chain,
  privateKey: row.private_key,
  issuer: row.issuer,
  notBefore: row.not_before,
  notAfter: row.not_after,
  createdAt: row.created_at,
});

const toAcmHost = (row: AcmHostRow): AcmHostRecord => ({
  hostname: row.hostname,
  appId: row.app_id,
  status: row.status,
  lastError: row.last_error,
  failures: row.failures,
  nextAttemptAt: row.next_attempt_at,
  updatedAt: row.updated_at,
});

/** Certificates per app, ACME's progress per host name, and the ACME account. */
export function createCertificateStore(db: Db, events: EventStore): CertificateStore {
  const insert = db.prepare(
    `INSERT INTO certificates (id, app_id, source, hostnames, chain, private_key, issuer, not_before, not_after, created_at)
     VALUES (@id, @app_id, @source, @hostnames, @chain, @private_key, @issuer, @not_before, @not_after, @created_at)`,
  );
  // rowid breaks ties between certificates stored in the same millisecond: newest last.
  const all = db.prepare<[], CertificateRow>('SELECT * FROM certificates ORDER BY created_at, rowid');
  const ofApp = db.prepare<[string], CertificateRow>('SELECT * FROM certificates WHERE app_id = ? ORDER BY created_at, rowid');
  const find = db.prepare<[string, string], CertificateRow>('SELECT * FROM certificates WHERE app_id = ? AND id = ?');
  const remove = db.prepare('DELETE FROM certificates WHERE id = ?');
  const acmOf = db.prepare<[string], CertificateRow>("SELECT * FROM certificates WHERE app_id = ? AND source = 'acm'");
  const hostsAll = db.prepare<[], AcmHostRow>('SELECT * FROM acm_hosts ORDER BY hostname');
  const hostsOf = db.prepare<[string], AcmHostRow>('SELECT * FROM acm_hosts WHERE app_id = ? ORDER BY hostname');
  const upsertHost = db.prepare(
    `INSERT INTO acm_hosts (hostname, app_id, status, last_error, failures, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (hostname) DO UPDATE SET app_id = excluded.app_id, status = excluded.status, last_error = excluded.last_error,
       failures = excluded.failures, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
  );
  const removeHost = db.prepare('DELETE FROM acm_hosts WHERE hostname = ?');
  const accountOf = db.prepare<[string], { directory: string; account_key: string; account_url: string | null }>('SELECT * FROM acme_accounts WHERE directory = ?');
  const upsertAccount = db.prepare(
    `INSERT INTO acme_accounts (directory, account_key, account_url, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (directory) DO UPDATE SET account_key = excluded.account_key, account_url = excluded.account_url`,
  );

  const insertCertificate = (app: { id: string }, source: CertificateSource, certificate: NewCertificate): CertificateRecord => {
    const row: CertificateRow = {
      id: randomUUID(),
      app_id: app.id,
      source,
      hostnames: JSON.stringify(certificate.hostnames),
      chain: certificate.chain,
      private_key: certificate.privateKey,
      issuer: certificate.issuer,
      not_before: certificate.notBefore,
      not_after: certificate.notAfter,
      created_at: now(),
    };
    insert.run(row);
    return toCertificate(row);
  };

  return {
    add: writer(db, (app: { id: string; name: string }, certificate: NewCertificate, actor: string) => {
      const record = insertCertificate(app, 'uploaded', certificate);
      events.record(app.name, actor, 'certificate.add', { hostnames: [...certificate.hostnames], expires_at: certificate.notAfter });
      return record;
    }),
    list: (appId) => (appId === undefined ? all.all() : ofApp.all(appId)).map(toCertificate),
    remove: writer(db, (app: { id: string; name: string }, id: string, actor: string) => {
      const row = find.get(app.id, id);
      if (!row) throw notFound('certificate', id);
      remove.run(id);
      events.record(app.name, actor, 'certificate.remove', { hostnames: JSON.parse(row.hostnames) as string[] });
      return toCertificate(row);
    }),
    replaceAcm: writer(db, (app: { id: string; name: string }, hostname: string, certificate: NewCertificate) => {
      for (const row of acmOf.all(app.id)) if ((JSON.parse(row.hostnames) as string[]).includes(hostname)) remove.run(row.id);
      return insertCertificate(app, 'acm', certificate);
    }),
    acmHosts: (appId) => (appId === undefined ? hostsAll.all() : hostsOf.all(appId)).map(toAcmHost),
    setAcmHost: writer(db, (app: { id: string }, hostname: string, state: Pick<AcmHostRecord, 'status' | 'lastError' | 'failures' | 'nextAttemptAt'>) => {
      upsertHost.run(hostname, app.id, state.status, state.lastError, state.failures, state.nextAttemptAt, now());
    }),
    pruneAcm: writer(db, (appId: string, keep: readonly string[]) => {
      for (const row of hostsOf.all(appId)) if (!keep.includes(row.hostname)) removeHost.run(row.hostname);
      for (const row of acmOf.all(appId)) {
        if ((JSON.parse(row.hostnames) as string[]).every((name) => !keep.includes(name))) remove.run(row.id);
      }
    }),
    account: (directory) => {
      const row = accountOf.get(directory);
      return row ? { directory: row.directory, accountKey: row.account_key, accountUrl: row.account_url } : undefined;
    },
    saveAccount: writer(db, (account: AcmeAccountRecord) => {
      upsertAccount.run(account.directory, account.accountKey, account.accountUrl, now());
    }),
  };
}
