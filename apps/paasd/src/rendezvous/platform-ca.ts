import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

import { ensureLocalCa, issueLeafCertificate } from '../certs/local-ca.js';

/** The platform's TLS material: a CA made once per data dir, and a server certificate it signs at each start. */
export interface PlatformTls {
  /** The CA certificate clients trust (`NODE_EXTRA_CA_CERTS` for the heroku CLI). */
  readonly caFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

const SERVER_DAYS = 397;

/** `DNS:localhost,IP:127.0.0.1,…` for the names the platform is reached by. */
export function subjectAltNames(names: readonly string[]): string {
  const unique = [...new Set(['localhost', '127.0.0.1', '::1', ...names].map((name) => name.toLowerCase()))];
  return unique.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

/**
 * A fresh server certificate for `names`, signed by the platform's local CA (made on first
 * use, shared with the router's HTTPS), through the one way the platform issues from it.
 */
export async function ensurePlatformTls(dataDir: string, names: readonly string[]): Promise<PlatformTls> {
  const ca = await ensureLocalCa(dataDir);
  const dir = dirname(ca.cert);
  const leaf = { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
  await issueLeafCertificate(ca, leaf, {
    subject: '/CN=paas rendezvous',
    extensions: `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltNames(names)}\n`,
    days: SERVER_DAYS,
  });
  return { caFile: ca.cert, key: await readFile(leaf.key), cert: await readFile(leaf.cert) };
}
