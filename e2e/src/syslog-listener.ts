import { createServer } from 'node:net';
import type { Socket } from 'node:net';

/** A TCP syslog receiver on a free loopback port: it keeps everything a drain sends. */
export interface SyslogListener {
  readonly port: number;
  received(): string;
  close(): Promise<void>;
}

export async function startSyslogListener(): Promise<SyslogListener> {
  let received = '';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the syslog listener has no port');
  return {
    port: address.port,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
