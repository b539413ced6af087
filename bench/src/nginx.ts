import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runOrThrow } from './command.js';
import { freePort } from './direct-start.js';
import { pollUntil } from './http-probe.js';

export interface RunningNginx {
  readonly port: number;
  /** HTTPS, with a self-signed P-256 certificate like the platform's own. */
  readonly tlsPort: number;
  stop(): Promise<void>;
}

/**
 * Debian's nginx as a reverse proxy to `backends` with upstream keep-alive, the same
 * forwarding headers the router adds, responses streamed as the data planes stream them, and
 * a buffered access log (the router writes one line per request too).
 */
export async function startNginx(backends: readonly { host: string; port: number }[], workers: number): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'paas-bench-nginx-'));
  const port = await freePort();
  const tlsPort = await freePort();
  // The same key type as the platform certificate paasd makes (local-ca.ts), so TLS costs alike.
  await runOrThrow('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(prefix, 'tls.key'), '-out', join(prefix, 'tls.crt'), '-days', '1', '-subj', '/CN=routed.localhost',
  ]);
  const conf = `
worker_processes ${String(workers)};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${prefix}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  map $http_via $via { "" "1.1 paas"; default "$http_via, 1.1 paas"; }
  upstream app {
${backends.map((b) => `    server ${b.host}:${String(b.port)};`).join('\n')}
    keepalive 256;
  }
  server {
    listen 127.0.0.1:${String(port)} reuseport;
    listen 127.0.0.1:${String(tlsPort)} ssl reuseport;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate ${prefix}/tls.crt;
    ssl_certificate_key ${prefix}/tls.key;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Request-Id $request_id;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Request-Start $msec;
      proxy_set_header Via $via;
      add_header Via "1.1 paas" always;
      # Responses stream, as through either data plane (and Heroku's router): an app's
      # server-sent events or long polls reach the client as written, not when a buffer fills.
      # Over TLS this costs a second record per small response, for nginx and the plane alike.
      proxy_buffering off;
    }
  }
}
`;
  await writeFile(join(prefix, 'nginx.conf'), conf);
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await pollUntil(port, 'localhost', (a) => a.status === 200, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`nginx did not start: ${String(error)}\n${stderr}`);
  }
  return { port, tlsPort, stop };
}
