/**
 * A throwaway certificate authority made with the openssl binary (argument arrays, no
 * shell): a root, and leaves it signs for the names a test asks for, valid now or in a
 * window of the test's choosing (an expired certificate).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** The root's PEM, and a file holding it (for curl --cacert, PAAS_ACME_CA_FILE). */
  readonly cert: string;
  readonly certFile: string;
  /** A leaf for `names` (the first is the subject), signed by this CA: PEM certificate and key. */
  issue(names: readonly string[], validity?: { days: number } | { start: string; end: string }): { cert: string; key: string };
  remove(): void;
}

const openssl = (args: readonly string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** YYYYMMDDHHMMSSZ, as `openssl ca` takes dates. */
const asn1Time = (iso: string): string => `${iso.replace(/[-:T]/g, '').slice(0, 14)}Z`;

export function createTestCa(name = 'paas test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'paasd-pki-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '30', '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const config = join(dir, 'ca.cnf');
  writeFileSync(
    config,
    ['[ca]', 'default_ca = paas', '[paas]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${dir}`, `serial = ${join(dir, 'serial')}`,
      'default_md = sha256', 'policy = any', 'unique_subject = no', '[any]', 'commonName = supplied', ''].join('\n'),
  );
  let count = 0;
  return {
    cert: readFileSync(caCert, 'utf8'),
    certFile: caCert,
    issue(names, validity = { days: 30 }) {
      count += 1;
      const base = join(dir, `leaf-${String(count)}`);
      // Names that are IPv4 addresses go in as IP entries (a server reached at 127.0.0.1).
      writeFileSync(`${base}.ext`, `subjectAltName=${names.map((n) => (/^\d+(\.\d+){3}$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}\n`);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0] ?? 'localhost'}`]);
      const window = 'days' in validity ? ['-days', String(validity.days)] : ['-startdate', asn1Time(validity.start), '-enddate', asn1Time(validity.end)];
      openssl(['ca', '-batch', '-notext', '-config', config, '-cert', caCert, '-keyfile', caKey, '-in', `${base}.csr`, '-out', `${base}.crt`, '-extfile', `${base}.ext`, ...window]);
      return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
