import type { LogStreamFrame } from '@paas/core';
import type { SocketTarget } from '@paas/client';
import WebSocket from 'ws';

import { CliError } from './cli-error.js';
import type { Stream } from './context.js';

/** The text form of a frame: Heroku's `TIME SOURCE[PROCESS]: LINE`, or a note of lines missed. */
export function formatLogFrame(frame: LogStreamFrame): string {
  if (frame.type === 'missed') return `paas[logs]: ${String(frame.count)} lines missed: this terminal read more slowly than the app wrote`;
  return `${frame.time} ${frame.source}[${frame.process}]: ${frame.line}`;
}

/**
 * Prints a log session's frames until the server ends the stream (no tail) or
 * `signal` aborts (Ctrl-C). A connection lost midway is an error: lines may be missing.
 */
export function tailLogSession(target: SocketTarget, stdout: Stream, signal?: AbortSignal): Promise<void> {
  const socket = new WebSocket(target.url, { headers: { ...target.headers }, handshakeTimeout: 30_000 });
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      socket.close(1000);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      stdout.write(`${formatLogFrame(JSON.parse(data.toString('utf8')) as LogStreamFrame)}\n`);
    });
    socket.on('unexpected-response', (_request, response) => {
      reject(new CliError(`The log stream was refused (HTTP ${String(response.statusCode)}): run the command again.`));
    });
    socket.on('error', (error) => reject(new CliError(`The log stream broke off: ${error.message}. Run the command again.`)));
    socket.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (code === 1000 || code === 1005 || signal?.aborted) resolve();
      else reject(new CliError(`The log stream ended unexpectedly (code ${String(code)}): run the command again to go on.`));
    });
  });
}
