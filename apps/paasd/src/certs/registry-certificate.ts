/**
 * The Swarm slug registry's certificate (PAAS_SWARM_REGISTRY): issued by the platform's local
 * CA for the registry's address, kept in the data dir (`tls/swarm-registry.crt` and `.key`) and
 * issued again only when it no longer names that address, expires within 30 days, or was not
 * signed by the CA there now. Kept, because the registry's service is made again whenever its
 * certificate changes (its Swarm secrets cannot change), and a restart should not.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

import { ensureLocalCa, issueLeafCertificate } from './local-ca.js';

/** As the platform certificate: a year, issued again a month before it ends. */
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 3_600_000;

export interface RegistryTls {
  /** PEM: the registry's certificate, its key, and the CA every node's engine is told to trust. */
  readonly certificate: string;
  readonly key: string;
  readonly ca: string;
}

function stillGood(certificate: string, ca: string, host: string): boolean {
  const leaf = new X509Certificate(certificate);
  if (Date.parse(leaf.validTo) < Date.now() + RENEW_BEFORE_MS) return false;
  if (!leaf.verify(new X509Certificate(ca).publicKey)) return false;
  return isIP(host) ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
}

/** The registry's TLS material for `address` (`host:port`), issued on first need (`domain` names a CA made now). */
export async function ensureRegistryTls(dataDir: string, address: string, domain?: string): Promise<RegistryTls> {
  const host = address.slice(0, address.lastIndexOf(':'));
  const ca = await ensureLocalCa(dataDir, domain);
  const dir = dirname(ca.cert);
  const leaf = { cert: join(dir, 'swarm-registry.crt'), key: join(dir, 'swarm-registry.key') };
  const caPem = await readFile(ca.cert, 'utf8');
  if (existsSync(leaf.cert) && existsSync(leaf.key)) {
    const current = { certificate: await readFile(leaf.cert, 'utf8'), key: await readFile(leaf.key, 'utf8'), ca: caPem };
    if (stillGood(current.certificate, caPem, host)) return current;
  }
  await issueLeafCertificate(ca, leaf, {
    subject: '/CN=paas slug registry',
    extensions: `subjectAltName=${isIP(host) ? 'IP' : 'DNS'}:${host}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    days: LEAF_DAYS,
  });
  return { certificate: await readFile(leaf.cert, 'utf8'), key: await readFile(leaf.key, 'utf8'), ca: caPem };
}
