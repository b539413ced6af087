import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

import { ensureLocalCa } from '../certs/local-ca.js';

/** The platform's TLS material: a CA made once per data dir, and a server certificate it signs at each start. */
export interface PlatformTls {
  /** The CA certificate clients trust (`NODE_EXTRA_CA_CERTS` for the heroku CLI). */
  readonly caFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

const SERVER_DAYS = '397';

function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new Error(`openssl could not be started (install it): ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0] ?? ''} failed (${String(code)}): ${stderr.trim().slice(0, 500)}`))));
  });
}

/** `DNS:localhost,IP:127.0.0.1,…` for the names the platform is reached by. */
export function subjectAltNames(names: readonly string[]): string {
  const unique = [...new Set(['localhost', '127.0.0.1', '::1', ...names].map((name) => name.toLowerCase()))];
  return unique.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

/**
 * A fresh server certificate for `names`, signed by the platform's local CA (made on first
 * use, shared with the router's HTTPS). openssl runs with argument arrays; the names go in a file.
 */
export async function ensurePlatformTls(dataDir: string, names: readonly string[]): Promise<PlatformTls> {
  const ca = await ensureLocalCa(dataDir);
  const dir = dirname(ca.cert);
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await writeFile(
    join(dir, 'server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltNames(names)}\n`,
  );
  await openssl(['req', '-new', ...curve, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=paas rendezvous'], dir);
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', SERVER_DAYS, '-extfile', 'server.ext'],
    dir,
  );
  await rm(join(dir, 'server.csr'), { force: true });
  return { caFile: ca.cert, key: await readFile(join(dir, 'server.key')), cert: await readFile(join(dir, 'server.pem')) };
}
