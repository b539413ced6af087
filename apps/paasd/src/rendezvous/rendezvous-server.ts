import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:tls';
import type { Server, TLSSocket } from 'node:tls';

import type { Logger } from '../logger.js';
import { ensurePlatformTls } from './platform-ca.js';

/** An attached one-off must be connected to within this long of being asked for, as on Heroku. */
export const RENDEZVOUS_TTL_MS = 60_000;
const MAX_SECRET_LINE = 256;
/** Heroku's CLI drops the first chunk it reads (the line after the secret): output waits this long after it. */
const FIRST_LINE_PAUSE_MS = 100;
/** End of stdin, as Heroku's CLI sends it after the last byte of a piped stdin. */
const EOT = 0x04;

/** What an attached one-off gets once its client connects: stdin, stdout+stderr, and an abort when it hangs up. */
export interface AttachedIo {
  readonly stdin: PassThrough;
  readonly output: Writable;
  readonly signal: AbortSignal;
}

export interface Rendezvous {
  /** A single-use secret for `rendezvous://host:port/secret`; `start` runs once the client connects with it. */
  offer(start: (io: AttachedIo) => Promise<unknown>): string;
  /** The listening port, or undefined while it does not listen (attached runs are then refused). */
  port(): number | undefined;
  listen(port: number, host: string, names: readonly string[]): Promise<{ port: number; caFile: string }>;
  close(): Promise<void>;
}

interface Offer {
  readonly start: (io: AttachedIo) => Promise<unknown>;
  readonly expiresAt: number;
}

/**
 * Heroku's rendezvous for `heroku run`: a TLS listener; the client sends the secret as its
 * first line, gets one line back, then raw output until the process ends; what it sends
 * after is stdin, up to a `\u0004`.
 */
export function createRendezvous({ dataDir, logger }: { dataDir: string; logger: Logger }): Rendezvous {
  const offers = new Map<string, Offer>();
  const sockets = new Set<TLSSocket>();
  let server: Server | undefined;

  const attach = (socket: TLSSocket, offer: Offer, rest: Buffer): void => {
    const stdin = new PassThrough();
    const aborter = new AbortController();
    const feed = (chunk: Buffer): void => {
      if (stdin.writableEnded) return;
      const end = chunk.indexOf(EOT);
      if (end < 0) {
        stdin.write(chunk);
        return;
      }
      stdin.end(chunk.subarray(0, end));
    };
    socket.on('close', () => {
      aborter.abort();
      if (!stdin.writableEnded) stdin.end();
    });
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (socket.destroyed) callback();
        else socket.write(chunk, () => callback());
      },
    });
    // Stdin is taken at once (the client sends it as soon as it has the line back); the
    // PassThrough holds it until the process reads.
    if (rest.length > 0) feed(rest);
    socket.on('data', feed);
    socket.write('rendezvous\r\n', () => {
      void sleep(FIRST_LINE_PAUSE_MS).then(() => {
        offer
          .start({ stdin, output, signal: aborter.signal })
          .catch((error: unknown) => {
            logger.warn({ err: error }, 'attached one-off failed');
            if (!socket.destroyed) socket.write(`${error instanceof Error ? error.message : 'The command could not be started.'}\r\n`);
          })
          .finally(() => output.end(() => socket.end()));
      });
    });
  };

  const onConnection = (socket: TLSSocket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let received = Buffer.alloc(0);
    socket.setTimeout(RENDEZVOUS_TTL_MS, () => socket.destroy());
    socket.on('error', (error) => logger.debug({ err: error }, 'rendezvous connection error'));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const newline = received.indexOf(0x0a);
      if (newline < 0) {
        if (received.length > MAX_SECRET_LINE) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.setTimeout(0);
      const secret = received.subarray(0, newline).toString('utf8').trim();
      const offer = offers.get(secret);
      offers.delete(secret);
      if (!offer || offer.expiresAt < Date.now()) {
        socket.end('That one-off does not exist or has expired: run it again.\r\n');
        return;
      }
      attach(socket, offer, received.subarray(newline + 1));
    };
    socket.on('data', onData);
  };

  return {
    offer(start) {
      const now = Date.now();
      for (const [secret, offer] of offers) if (offer.expiresAt < now) offers.delete(secret);
      const secret = randomBytes(24).toString('base64url');
      offers.set(secret, { start, expiresAt: now + RENDEZVOUS_TTL_MS });
      return secret;
    },
    port() {
      const address = server?.address();
      return address && typeof address === 'object' ? address.port : undefined;
    },
    async listen(port, host, names) {
      const tls = await ensurePlatformTls(dataDir, names);
      const listening = createServer({ key: tls.key, cert: tls.cert }, onConnection);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => resolve());
      });
      server = listening;
      return { port: (listening.address() as AddressInfo).port, caFile: tls.caFile };
    },
    async close() {
      const listening = server;
      server = undefined;
      if (!listening) return;
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      // Attached clients are cut off (their one-offs get the abort): paasd is stopping.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
