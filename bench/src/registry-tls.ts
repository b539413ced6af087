/**
 * 10. The Swarm slug registry over TLS beside plain HTTP: `docker push` of an image (one
 * 64 MiB layer of random bytes, which compresses as little as a slug's binaries do) to a fresh
 * registry, and the pull's transfer (its manifest and layer blobs, read as the engine reads
 * them). Both registries are the image paasd runs (`paas/registry:*`, Debian's docker-registry)
 * on this engine's host network, on 127.0.0.1; the TLS one with a certificate of a CA made
 * here, as paasd's local CA makes one. The engine treats 127.0.0.0/8 as an insecure registry:
 * it still speaks TLS to a registry that does, without checking its certificate (a check is
 * once per connection, not per byte). Runs alternate which mode goes first.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run, runOrThrow } from './command.js';
import { repeat, type BenchContext, type Benchmark } from './context.js';
import { freePort } from './direct-start.js';
import { figure, type Figure } from './figure.js';

const PAYLOAD_MIB = 64;
const PAYLOAD = 'paas-bench/registry-payload:1';
const LABEL = 'paas.bench=registry-tls';

type Mode = 'tls' | 'plain';

async function registryImage(): Promise<string> {
  const listed = (await runOrThrow('docker', ['images', 'paas/registry', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter(Boolean);
  const [newest] = listed;
  if (newest === undefined) throw new Error('no paas/registry image on this engine: paasd makes it on its first start with PAAS_RUNTIME=swarm and PAAS_SWARM_REGISTRY (or run the multi-node test)');
  return newest;
}

/** A CA and a certificate for 127.0.0.1 signed by it, in `dir` (openssl, argument arrays). */
async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await runOrThrow('openssl', ['req', '-x509', ...ec, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await runOrThrow('openssl', ['req', '-new', ...ec, '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'), '-subj', '/CN=bench registry']);
  await runOrThrow('openssl', ['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-set_serial', '0x01', '-days', '2', '-extfile', join(dir, 'server.ext'), '-out', join(dir, 'server.crt')]);
}

/** The payload image: one layer of random bytes, imported (no build, no base image). */
async function makePayload(dir: string): Promise<void> {
  await rm(join(dir, 'rootfs'), { recursive: true, force: true });
  await runOrThrow('mkdir', ['-p', join(dir, 'rootfs')]);
  await writeFile(join(dir, 'rootfs', 'payload.bin'), randomBytes(PAYLOAD_MIB * 1024 * 1024));
  await runOrThrow('tar', ['-C', join(dir, 'rootfs'), '-cf', join(dir, 'payload.tar'), '.']);
  await runOrThrow('docker', ['import', join(dir, 'payload.tar'), PAYLOAD]);
}

interface Answer {
  status: number;
  body: Buffer;
}

function fetchFrom(mode: Mode, port: number, path: string, ca: string, accept?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers: accept ? { Accept: accept } : {}, agent: false as const, ...(mode === 'tls' ? { ca } : {}) };
    const sent = (mode === 'tls' ? httpsRequest : httpRequest)(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** One registry: started, pushed to (timed), its pull's transfer read (timed), removed. */
async function measure(mode: Mode, image: string, dir: string, ca: string): Promise<{ pushMs: number; pullMs: number }> {
  const port = await freePort();
  const address = `127.0.0.1:${String(port)}`;
  const tls = mode === 'tls' ? ['-e', 'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/server.crt', '-e', 'REGISTRY_HTTP_TLS_KEY=/certs/server.key', '-v', `${dir}:/certs:ro`] : [];
  const id = (await runOrThrow('docker', ['run', '-d', '--network', 'host', '--label', LABEL, '-e', `REGISTRY_HTTP_ADDR=${address}`, ...tls, image])).trim();
  const reference = `${address}/bench/payload:1`;
  try {
    const deadline = Date.now() + 30_000;
    while ((await fetchFrom(mode, port, '/v2/', ca).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`the ${mode} registry did not answer within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await runOrThrow('docker', ['tag', PAYLOAD, reference]);
    const pushStart = performance.now();
    await runOrThrow('docker', ['push', reference]);
    const pushMs = performance.now() - pushStart;
    const pullStart = performance.now();
    const manifest = await fetchFrom(mode, port, '/v2/bench/payload/manifests/1', ca, 'application/vnd.docker.distribution.manifest.v2+json');
    const { config, layers } = JSON.parse(manifest.body.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    for (const digest of [config.digest, ...layers.map((layer) => layer.digest)]) {
      const blob = await fetchFrom(mode, port, `/v2/bench/payload/blobs/${digest}`, ca);
      if (blob.status !== 200) throw new Error(`blob ${digest}: ${String(blob.status)}`);
    }
    return { pushMs, pullMs: performance.now() - pullStart };
  } finally {
    await run('docker', ['rm', '-f', '-v', id]);
    await run('docker', ['rmi', reference]);
  }
}

export const registryTlsBenchmark: Benchmark = {
  name: 'registry-tls',
  description: 'the Swarm slug registry: push and pull transfer over TLS beside plain HTTP',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const image = await registryImage();
    const dir = await mkdtemp(join(tmpdir(), 'paas-bench-registry-'));
    try {
      await makeCertificates(dir);
      await makePayload(dir);
      const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
      const results = await repeat(ctx.runs, async (i) => {
        const order: Mode[] = i % 2 === 0 ? ['tls', 'plain'] : ['plain', 'tls'];
        const out: Partial<Record<Mode, { pushMs: number; pullMs: number }>> = {};
        for (const mode of order) out[mode] = await measure(mode, image, dir, ca);
        ctx.log(`run ${String(i + 1)}: push tls ${String(Math.round(out.tls?.pushMs ?? 0))} ms, plain ${String(Math.round(out.plain?.pushMs ?? 0))} ms; pull transfer tls ${String(Math.round(out.tls?.pullMs ?? 0))} ms, plain ${String(Math.round(out.plain?.pullMs ?? 0))} ms`);
        return out as Record<Mode, { pushMs: number; pullMs: number }>;
      });
      const note = `${String(PAYLOAD_MIB)} MiB layer of random bytes; registries on 127.0.0.1`;
      return [
        figure({ benchmark: 'registry-tls', name: 'docker push, TLS', runtime: '-', unit: 'ms', runs: results.map((r) => r.tls.pushMs), baseline: { name: 'docker push, plain HTTP', runs: results.map((r) => r.plain.pushMs) }, note }),
        figure({ benchmark: 'registry-tls', name: 'pull transfer, TLS', runtime: '-', unit: 'ms', runs: results.map((r) => r.tls.pullMs), baseline: { name: 'pull transfer, plain HTTP', runs: results.map((r) => r.plain.pullMs) }, note }),
      ];
    } finally {
      await run('docker', ['rmi', PAYLOAD]);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
