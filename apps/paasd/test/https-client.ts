import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

/** An HTTPS GET to 127.0.0.1 with SNI and Host `host`, verifying the certificate against `ca` only. */
export function httpsGet(port: number, host: string, ca: string, path = '/'): Promise<{ status: number; body: string; issuer: string; serial: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: host, ca, timeout: 5000, agent: false, headers: { host } }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer: String(peer.issuer?.CN ?? ''), serial: peer.serialNumber, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
