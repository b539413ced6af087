import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';

import { createLogger } from '../src/logger.js';
import { subjectAltNames } from '../src/rendezvous/platform-ca.js';
import { createRendezvous } from '../src/rendezvous/rendezvous-server.js';

/** What Heroku's CLI does: the secret as a line, then stdin ending in \u0004; everything read back. */
function attach(port: number, ca: Buffer, secret: string, stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ca }, () => {
      socket.write(`${secret}\r\n`);
    });
    let received = '';
    let sentStdin = false;
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      received += data;
      if (!sentStdin && received.includes('\n')) {
        sentStdin = true;
        socket.write(`${stdin}\u0004`);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

test('the rendezvous: a CA made once, a trusted TLS listener, a single-use secret, stdin up to \\u0004 and the output back', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paasd-rendezvous-'));
  const rendezvous = createRendezvous({ dataDir, logger: createLogger('silent') });
  t.after(async () => {
    await rendezvous.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  assert.equal(rendezvous.port(), undefined);
  const { port, caFile } = await rendezvous.listen(0, '127.0.0.1', ['paas.test']);
  assert.equal(rendezvous.port(), port);
  assert.equal(caFile, join(dataDir, 'tls', 'ca.crt'));
  assert.equal(statSync(join(dataDir, 'tls')).mode & 0o777, 0o700);
  const ca = readFileSync(caFile);

  const secret = rendezvous.offer(async ({ stdin, output }) => {
    let text = '';
    for await (const chunk of stdin) text += (chunk as Buffer).toString('utf8');
    output.write(`${text.toUpperCase()}\n`);
  });
  const received = await attach(port, ca, secret, 'from stdin');
  assert.equal(received, 'rendezvous\r\nFROM STDIN\n');
  // Used once: a second connection with it is told so and closed.
  assert.match(await attach(port, ca, secret, ''), /does not exist or has expired/);

  // A second start reuses the CA: the platform's clients keep trusting it.
  await rendezvous.close();
  await rendezvous.listen(0, '127.0.0.1', []);
  assert.deepEqual(readFileSync(caFile), ca);
});

test('the certificate names localhost, loopback and the given names', () => {
  assert.equal(subjectAltNames(['paas.test', '10.0.0.5', 'LOCALHOST']), 'DNS:localhost,IP:127.0.0.1,IP:::1,DNS:paas.test,IP:10.0.0.5');
});
