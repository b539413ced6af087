/**
 * The platform domain's certificate: the files PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE
 * name, or one paasd issues itself from a local CA kept in the data dir (made by openssl on
 * first start). A wildcard for a one-label domain (`*.localhost`) is refused by clients, so
 * the issued certificate also names every app's host (`<app>.<domain>`) and is issued again
 * when an app it does not name appears. Trusting `<data dir>/tls/ca.crt` once is enough.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { TlsCertificate } from '@paas/router';

import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { covers } from './certificate-check.js';
import { ensureLocalCa, issueLeafCertificate } from './local-ca.js';

/** What the local CA issues lives a year (and is issued again whenever apps change). */
const LEAF_DAYS = 365;

export interface PlatformCertificates {
  readonly initial: TlsCertificate;
  /** Makes sure the certificate names these apps' hosts; gives a new one to `apply` when it did not. */
  coverApps(apps: readonly string[], apply: (certificate: TlsCertificate) => void): void;
  /** Waits for an issue in flight (openssl writing into the data dir) and takes no new ones. */
  close(): Promise<void>;
}

export async function loadPlatformCertificates(
  config: Pick<Config, 'tls' | 'dataDir' | 'domain'>,
  apps: readonly string[],
  logger: Logger,
): Promise<PlatformCertificates> {
  if (config.tls !== undefined) {
    const certificate = { chain: await readFile(config.tls.certFile, 'utf8'), key: await readFile(config.tls.keyFile, 'utf8') };
    const leaf = new X509Certificate(certificate.chain);
    if (!covers(leaf, `app.${config.domain}`)) logger.warn({ file: config.tls.certFile, domain: config.domain }, `PAAS_TLS_CERT_FILE does not cover *.${config.domain}`);
    logger.info({ file: config.tls.certFile, expires: new Date(leaf.validTo).toISOString() }, 'platform certificate loaded');
    return { initial: certificate, coverApps: () => undefined, close: async () => undefined };
  }
  const ca = await ensureLocalCa(config.dataDir, config.domain);
  if (ca.made) {
    logger.warn({ file: ca.cert, domain: config.domain }, 'made a local CA for HTTPS: clients trust the platform certificate only once told to trust this file (or set PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE)');
  } else {
    logger.warn({ file: ca.cert }, 'HTTPS uses a platform certificate from the local CA: clients trust it only once told to trust this file (or set PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE)');
  }
  const dir = dirname(ca.cert);
  const leaf = { cert: join(dir, 'platform.crt'), key: join(dir, 'platform.key') };
  const hostsOf = (names: readonly string[]): string[] => names.map((name) => `${name}.${config.domain}`);
  const issue = async (names: readonly string[]): Promise<TlsCertificate> => {
    await issueLeaf(config.domain, hostsOf(names), ca, leaf);
    return { chain: await readFile(leaf.cert, 'utf8'), key: await readFile(leaf.key, 'utf8') };
  };
  let covered: readonly string[] = apps;
  let current = existsSync(leaf.cert) && existsSync(leaf.key) ? { chain: await readFile(leaf.cert, 'utf8'), key: await readFile(leaf.key, 'utf8') } : undefined;
  if (current === undefined || !stillGood(current, config.domain, hostsOf(apps))) current = await issue(apps);
  // One issue at a time, of the newest list: apps created while one is issued (a hundred in a
  // row) wait for one next issue, not one each. A failure is logged and the old certificate keeps serving.
  let wanted: readonly string[] | undefined;
  let issuing: Promise<void> | undefined;
  let closed = false;
  const issueLoop = async (apply: (certificate: TlsCertificate) => void): Promise<void> => {
    while (wanted !== undefined) {
      const names = wanted;
      wanted = undefined;
      try {
        apply(await issue(names));
        logger.info({ apps: names.length }, 'platform certificate issued again for new apps');
      } catch (err) {
        logger.error({ err }, 'platform certificate could not be issued again');
      }
    }
    issuing = undefined;
  };
  return {
    initial: current,
    coverApps(names, apply) {
      if (closed) return;
      const missing = names.filter((name) => !covered.includes(name));
      if (missing.length === 0) return;
      covered = [...names];
      wanted = [...names];
      issuing ??= issueLoop(apply);
    },
    async close() {
      closed = true;
      wanted = undefined;
      await issuing;
    },
  };
}

function stillGood(certificate: TlsCertificate, domain: string, hosts: readonly string[]): boolean {
  const leaf = new X509Certificate(certificate.chain);
  if (Date.parse(leaf.validTo) < Date.now() + 30 * 24 * 3_600_000) return false;
  return [`app.${domain}`, ...hosts].every((host) => covers(leaf, host));
}

async function issueLeaf(domain: string, hosts: readonly string[], ca: { cert: string; key: string }, leaf: { cert: string; key: string }): Promise<void> {
  const names = [`*.${domain}`, domain, ...hosts];
  await issueLeafCertificate(ca, leaf, {
    subject: `/CN=*.${domain}`,
    extensions: `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    days: LEAF_DAYS,
  });
}
