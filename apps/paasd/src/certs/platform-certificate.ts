/**
 * The platform domain's certificate: the files PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE
 * name, or a self-signed one for `*.<domain>` kept in the data dir (made by openssl on
 * first start, and again when it no longer covers the domain).
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { TlsCertificate } from '@paas/router';

import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { covers } from './certificate-check.js';

const run = promisify(execFile);

/** Two years: browsers do not accept a self-signed certificate anyway, so length matters little. */
const SELF_SIGNED_DAYS = 730;

export async function loadPlatformCertificate(config: Pick<Config, 'tls' | 'dataDir' | 'domain'>, logger: Logger): Promise<TlsCertificate> {
  if (config.tls !== undefined) {
    const certificate = { chain: await readFile(config.tls.certFile, 'utf8'), key: await readFile(config.tls.keyFile, 'utf8') };
    const leaf = new X509Certificate(certificate.chain);
    if (!covers(leaf, `app.${config.domain}`)) logger.warn({ file: config.tls.certFile, domain: config.domain }, `PAAS_TLS_CERT_FILE does not cover *.${config.domain}`);
    logger.info({ file: config.tls.certFile, expires: new Date(leaf.validTo).toISOString() }, 'platform certificate loaded');
    return certificate;
  }
  const dir = join(config.dataDir, 'tls');
  const certFile = join(dir, 'platform.crt');
  const keyFile = join(dir, 'platform.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const certificate = { chain: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
    const leaf = new X509Certificate(certificate.chain);
    if (covers(leaf, `app.${config.domain}`) && Date.parse(leaf.validTo) > Date.now() + 24 * 3_600_000) {
      logger.warn({ file: certFile }, 'HTTPS uses a self-signed platform certificate: clients will not trust it (set PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE)');
      return certificate;
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await makeSelfSigned(config.domain, certFile, keyFile);
  logger.warn(
    { file: certFile, domain: config.domain },
    'made a self-signed platform certificate for HTTPS: clients will not trust it (set PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE)',
  );
  return { chain: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

/** openssl with an argument array; written beside the target and renamed, so a crash leaves no half file. */
async function makeSelfSigned(domain: string, certFile: string, keyFile: string): Promise<void> {
  const tmpCert = `${certFile}.tmp`;
  const tmpKey = `${keyFile}.tmp`;
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', tmpKey, '-out', tmpCert, '-days', String(SELF_SIGNED_DAYS),
    '-subj', `/CN=*.${domain}`,
    '-addext', `subjectAltName=DNS:*.${domain},DNS:${domain}`,
  ]);
  await chmod(tmpKey, 0o600);
  await rename(tmpKey, keyFile);
  await rename(tmpCert, certFile);
}
