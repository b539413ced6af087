import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename } from 'node:fs/promises';
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
