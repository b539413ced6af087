/**
 * A throwaway certificate authority made with the openssl binary (argument arrays, no
 * shell): a root, and leaves it signs for the names a test asks for.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly cert: string;
  /** A leaf for `names` (the first is the subject), signed by this CA; PEM chain and key. */
  issue(names: readonly string[], days?: number): { chain: string; key: string };
  remove(): void;
}

const openssl = (args: readonly string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export function createTestCa(name = 'paas test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'paas-pki-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', `/CN=${name}`]);
  let serial = 0;
  return {
    cert: readFileSync(caCert, 'utf8'),
    issue(names, days = 30) {
      serial += 1;
      const key = join(dir, `${String(serial)}.key`);
      const csr = join(dir, `${String(serial)}.csr`);
      const crt = join(dir, `${String(serial)}.crt`);
      const ext = join(dir, `${String(serial)}.ext`);
      writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${names[0] ?? 'localhost'}`]);
      openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(1000 + serial), '-days', String(days), '-extfile', ext, '-out', crt]);
      return { chain: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
