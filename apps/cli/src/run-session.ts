import type { IncomingMessage } from 'node:http';

import { ApiError } from '@paas/client';
import type { SocketTarget } from '@paas/client';
import { RUN_STREAM, encodeRunFrame } from '@paas/core';
import type { RunRequest, RunResultFrame } from '@paas/core';
import WebSocket from 'ws';

import { CliError } from './cli-error.js';
import type { Stream } from './context.js';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

export interface RunSessionOptions {
  readonly target: SocketTarget;
  /** The command line the process runs with `bash -c`. */
  readonly command: string;
  /** Relayed to the command as it is read; its end is sent as EOF. */
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Stream;
  readonly stderr: Stream;
  /** Called once the connection is open and the command sent, before any output. */
  readonly onUp?: () => void;
  readonly handshakeTimeoutMs?: number;
}

export interface RunOutcome {
  /** null when a signal ended the process. */
  readonly exitCode: number | null;
  /** `run.1234` */
  readonly name: string;
}

/**
 * Runs one command over the websocket of `paas run` (@paas/core's run-protocol.ts):
 * sends the command, relays stdin up and stdout and stderr down byte for byte, and
 * resolves with the exit code of the remote process. An `{"error": …}` frame rejects
 * with an ApiError carrying its id; a connection that ends before the result rejects
 * with a CliError, since what the command did is then unknown.
 */
export function runRemoteCommand(options: RunSessionOptions): Promise<RunOutcome> {
  const { target } = options;
  const socket = new WebSocket(target.url, {
    headers: { ...target.headers },
    handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  });
  let stopStdin = (): void => undefined;
  // one listener per socket event, all settling the same promise: kept together so the order reads top down
  return new Promise<RunOutcome>((resolve, reject) => {
    let opened = false;
    let settled = false;
    let socketError: Error | undefined;
    const settle = (outcome: { ok: RunOutcome } | { failure: Error }): void => {
      if (settled) return;
      settled = true;
      stopStdin();
      socket.close();
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.failure);
    };
    // with this listener ws leaves the refused upgrade to us: settle() closes it
    socket.on('unexpected-response', (_request, response) => {
      void readRefusal(response, target.url).then((failure) => settle({ failure }));
    });
    socket.on('open', () => {
      opened = true;
      socket.send(JSON.stringify({ command: options.command } satisfies RunRequest));
      options.onUp?.();
      stopStdin = pumpStdin(socket, options.stdin);
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (settled) return;
      if (isBinary) return relayOutput(bufferOf(data), options);
      const result = parseResultFrame(bufferOf(data).toString('utf8'));
      if (result === undefined) return; // a text frame this client does not know: newer servers may add some
      if ('error' in result) settle({ failure: new ApiError(result.error.id, result.error.message, 0) });
      else settle({ ok: { exitCode: result.exit_code, name: result.name } });
    });
    socket.on('error', (error) => {
      socketError = error; // 'close' follows and reports it
    });
    socket.on('close', (code) => {
      settle({ failure: opened ? brokenConnection(target.url, code, socketError) : connectionFailure(target.url, socketError) });
    });
  });
}

/** Sends stdin up as STDIN frames and its end as EOF; returns how to stop reading it. */
function pumpStdin(socket: WebSocket, stdin: NodeJS.ReadableStream): () => void {
  const onData = (chunk: Buffer | string): void => {
    // one frame in flight at a time: a fast producer waits for the network, not memory
    stdin.pause();
    socket.send(encodeRunFrame(RUN_STREAM.stdin, Buffer.from(chunk)), (error) => {
      if (!error) stdin.resume();
    });
  };
  const onEnd = (): void => socket.send(JSON.stringify({ eof: true }));
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  return () => {
    stdin.removeListener('data', onData);
    stdin.removeListener('end', onEnd);
    stdin.pause(); // lets the process exit although nobody ended stdin (a terminal)
  };
}

function relayOutput(frame: Buffer, options: RunSessionOptions): void {
  const data = frame.subarray(1);
  if (frame[0] === RUN_STREAM.stdout) options.stdout.write(data);
  else if (frame[0] === RUN_STREAM.stderr) options.stderr.write(data);
  // other stream numbers are not the server's to send: dropped
}

function bufferOf(data: WebSocket.RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** The result frame, or undefined for any other text. */
export function parseResultFrame(text: string): RunResultFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined; // not JSON: not a result frame either
  }
  if (typeof frame !== 'object' || frame === null) return undefined;
  const fields = frame as Record<string, unknown>;
  if ('exit_code' in fields && (typeof fields.exit_code === 'number' || fields.exit_code === null)) {
    return { exit_code: fields.exit_code, name: typeof fields.name === 'string' ? fields.name : 'the process' };
  }
  const error = fields.error as Record<string, unknown> | null | undefined;
  if (typeof error === 'object' && error !== null && typeof error.id === 'string' && typeof error.message === 'string') {
    return { error: { id: error.id, message: error.message } };
  }
  return undefined;
}

/** The API answered the upgrade with an HTTP error: its `{id, message}` when it sent one. */
async function readRefusal(response: IncomingMessage, url: string): Promise<Error> {
  const status = response.statusCode ?? 0;
  let text = '';
  try {
    for await (const chunk of response) text += String(chunk);
  } catch {
    // the body is only a better message; the status still says what happened
  }
  try {
    const body = JSON.parse(text) as { id?: unknown; message?: unknown };
    if (typeof body.id === 'string' && typeof body.message === 'string') return new ApiError(body.id, body.message, status);
  } catch {
    // not the API's JSON: fall through to the status
  }
  const id = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'invalid_response';
  return new ApiError(id, `${url} answered HTTP ${String(status)} instead of opening a websocket: is PAAS_API_URL pointing at paasd?`, status);
}

function connectionFailure(url: string, error: Error | undefined): Error {
  if (error?.message.includes('handshake has timed out')) {
    return new ApiError('timeout', `${url} did not answer in time: check that paasd is running and healthy.`, 0, { cause: error });
  }
  return new ApiError(
    'unreachable',
    `Could not connect to ${url}: start paasd, or set PAAS_API_URL to the address it listens on.`,
    0,
    { cause: error },
  );
}

function brokenConnection(url: string, code: number, error: Error | undefined): Error {
  return new CliError(
    `The connection to ${url} ended (code ${String(code)}) before the command finished: ` +
      'whether it ran to the end is unknown. See paas logs, and run it again if need be.',
    { cause: error },
  );
}
