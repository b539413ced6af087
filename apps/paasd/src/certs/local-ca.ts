import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The local CA lives ten years. */
const CA_DAYS = 3650;

export interface LocalCa {
  readonly cert: string;
  readonly key: string;
  /** True when this call made it (first start): the caller says so in its log. */
  readonly made: boolean;
}

/**
 * The platform's one local CA, `<dataDir>/tls/ca.crt` and its key, made by openssl (argument
 * arrays) on first use. It signs the router's platform certificate and the rendezvous
 * certificate alike, so clients trust one file. `domain` names it (the platform domain).
 */
export async function ensureLocalCa(dataDir: string, domain?: string): Promise<LocalCa> {
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  if (existsSync(cert) && existsSync(key)) return { cert, key, made: false };
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${key}.tmp`, '-out', `${cert}.tmp`, '-days', String(CA_DAYS),
    '-subj', `/CN=paas local CA${domain === undefined ? '' : ` for ${domain}`}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await chmod(`${key}.tmp`, 0o600);
  await rename(`${key}.tmp`, key);
  await rename(`${cert}.tmp`, cert);
  return { cert, key, made: true };
}

/**
 * A server certificate signed by the local CA, written to `leaf.cert` and `leaf.key`: openssl
 * with argument arrays, the names through an extensions file (never a shell), written beside
 * the targets and then renamed. A random serial of its own rather than the CA's serial file,
 * which concurrent issues would both write.
 */
export async function issueLeafCertificate(
  ca: { readonly cert: string; readonly key: string },
  leaf: { readonly cert: string; readonly key: string },
  request: { readonly subject: string; readonly extensions: string; readonly days: number },
): Promise<void> {
  const ext = `${leaf.cert}.ext`;
  const csr = `${leaf.cert}.csr`;
  await writeFile(ext, request.extensions);
  try {
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${leaf.key}.tmp`, '-out', csr, '-subj', request.subject]);
    const serial = `0x${randomBytes(16).toString('hex')}`;
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-days', String(request.days), '-extfile', ext, '-out', `${leaf.cert}.tmp`]);
    await chmod(`${leaf.key}.tmp`, 0o600);
    await rename(`${leaf.key}.tmp`, leaf.key);
    await rename(`${leaf.cert}.tmp`, leaf.cert);
  } finally {
    await rm(ext, { force: true });
    await rm(csr, { force: true });
  }
}
