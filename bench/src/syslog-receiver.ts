import { createServer, type Server, type Socket } from 'node:net';

/** What the receiver has counted of one emitter run. */
export interface RunCount {
  /** Epoch seconds the emitter started (from its lines). */
  readonly t0: number;
  /** seq → seen; unique sequence numbers received. */
  readonly seen: Uint8Array;
  unique: number;
  duplicates: number;
  /** Epoch ms the last new line arrived. */
  lastAt: number;
}

export interface SyslogReceiver {
  readonly port: number;
  readonly runs: Map<string, RunCount>;
  /** Frames received in all, bench lines or not. */
  frames(): number;
  close(): Promise<void>;
}

const LINE = /bench run=([0-9a-f]+) seq=(\d+) t0=([\d.]+)/;

/** A TCP syslog receiver for RFC 6587 octet-counted frames (`<len> <frame>`); counts bench lines by run and sequence. */
export function startSyslogReceiver(expectedPerRun: number): Promise<SyslogReceiver> {
  const runs = new Map<string, RunCount>();
  let frames = 0;
  const onFrame = (frame: string): void => {
    frames += 1;
    const match = LINE.exec(frame);
    if (!match) return;
    const [, id = '', seqText = '', t0Text = ''] = match;
    let count = runs.get(id);
    if (!count) {
      count = { t0: Number(t0Text), seen: new Uint8Array(expectedPerRun), unique: 0, duplicates: 0, lastAt: 0 };
      runs.set(id, count);
    }
    const seq = Number(seqText);
    if (count.seen[seq] === 1) count.duplicates += 1;
    else {
      count.seen[seq] = 1;
      count.unique += 1;
      count.lastAt = Date.now();
    }
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let buffer: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      let offset = 0;
      for (;;) {
        const space = buffer.indexOf(0x20, offset);
        if (space === -1) break;
        const length = Number(buffer.toString('latin1', offset, space));
        if (!Number.isInteger(length) || length <= 0) {
          socket.destroy(new Error(`bad frame length at ${String(offset)}`));
          return;
        }
        if (buffer.length < space + 1 + length) break;
        onFrame(buffer.toString('utf8', space + 1, space + 1 + length));
        offset = space + 1 + length;
      }
      buffer = buffer.subarray(offset);
    });
    socket.on('error', () => {
      // The drain reconnects; what was lost shows in the count.
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        runs,
        frames: () => frames,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
