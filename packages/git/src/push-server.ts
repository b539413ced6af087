/**
 * The daemon's side of the pre-receive hook: a Unix socket server. Each connection
 * is one push (the framing is in `push-frames.ts`): check the ticket, apply the push
 * policy, hand the push to `onPush` with the tar of the deploying revision and a
 * stream back to the pusher, then send the exit code that accepts or rejects it.
 */
import { lstat, chmod, unlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { assertAppName } from '@paas/core';

import { FRAME, FrameDecoder, PUSH_ENV, encodeFrame, encodeFrames, parseHello, type FrameType } from './push-frames.js';
import { planPush, type RefUpdate } from './push-policy.js';
import { createTicketBook } from './push-tickets.js';

export interface Push {
  /** The id of the ticket this push came in with (`PushTicket.id`): ties it to its HTTP request. */
  readonly ticketId: string;
  readonly app: string;
  /** The user the ticket was issued for, if any. */
  readonly user: string | null;
  readonly updates: readonly RefUpdate[];
  /** The update that deploys; null when the push only stores tags. */
  readonly deploy: RefUpdate | null;
  /** Branches the push deletes (only when the app makes review apps). */
  readonly deletes: readonly RefUpdate[];
  /** `git archive --format=tar` of `deploy.newRev`, streamed from inside the quarantine; null without a deploy. */
  readonly source: Readable | null;
  /** Text for the pusher (shown as `remote:` lines). Ended by the server when onPush settles. */
  readonly output: Writable;
  /** Aborts when the pusher went away (git client gone, hook killed). */
  readonly signal: AbortSignal;
}

export interface PushServerOptions {
  /** Keep it in a directory only the daemon's user can enter; the socket itself is made 0600. */
  readonly socketPath: string;
  /** Resolves to the hook's exit code: 0 accepts the push, anything else rejects it. */
  readonly onPush: (push: Push) => Promise<number>;
  /** Whether pushes to this app's other branches make review apps; default never. */
  readonly reviewBranches?: (app: string) => boolean;
  /** Errors thrown by onPush and broken connections, for the platform log. */
  readonly onError?: (error: unknown, context: { readonly app: string | null }) => void;
  readonly helloTimeoutMs?: number;
}

export interface PushTicket {
  readonly id: string;
  /** Pass as `extraEnv` to handleGitHttp for `POST /git-receive-pack`. */
  readonly env: Readonly<Record<string, string>>;
  /** Call when that request is over; a used ticket is already gone. */
  revoke(): void;
}

export interface PushServer {
  readonly socketPath: string;
  listen(): Promise<void>;
  authorize(app: string, options?: { readonly user?: string }): PushTicket;
  /** Stops listening and cuts running pushes off (they are rejected, their signals abort). */
  close(): Promise<void>;
}

const SOURCE_BUFFER_BYTES = 1024 * 1024;

export const PUSH_MESSAGES = {
  badHello: ' !     paas could not read this push from the git hook; push again, or report this if it persists.',
  unauthorized: ' !     paas did not authorize this push (unknown or used push ticket): push again.',
  internal: ' !     paas failed while handling this push (internal error); nothing was deployed. Try again.',
} as const;

function exitCodeOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255 ? value : 1;
}

export function createPushServer(options: PushServerOptions): PushServer {
  const tickets = createTicketBook();
  const connections = new Set<Socket>();
  const report = options.onError ?? ((): void => undefined);
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    servePush(socket);
  });

  function servePush(socket: Socket): void {
    const decoder = new FrameDecoder();
    const abort = new AbortController();
    let app: string | null = null;
    let started = false;
    let exitSent = false;
    let source: PassThrough | null = null;
    let waitingForDrain = false;

    const send = (type: FrameType, payload?: Buffer | string): void => {
      if (!socket.destroyed && socket.writable) socket.write(encodeFrame(type, payload));
    };
    const finish = (code: number, lines: readonly string[] = []): void => {
      if (exitSent) return;
      for (const line of lines) send(FRAME.output, `${line}\n`);
      send(FRAME.exit, Buffer.from([code]));
      exitSent = true;
      socket.end();
      if (source && !source.writableEnded) source.destroy();
    };

    const helloTimer = setTimeout(() => socket.destroy(), options.helloTimeoutMs ?? 10_000);
    socket.on('error', (error) => {
      // 'close' follows and does the cleanup; a reset after the exit frame is normal.
      if (!exitSent) report(error, { app });
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (!exitSent) abort.abort(new Error('the pusher went away'));
      if (source && !source.writableEnded) source.destroy(new Error('the pusher went away before the tar was complete'));
    });
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (error) {
        report(error, { app });
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (!started) {
          started = true;
          clearTimeout(helloTimer);
          if (frame.type !== FRAME.hello) {
            finish(1, [PUSH_MESSAGES.badHello]);
            return;
          }
          run(frame.payload).catch((error: unknown) => {
            report(error, { app });
            finish(1, [PUSH_MESSAGES.internal]);
          });
        } else if (frame.type === FRAME.data && source && !source.writableEnded && !source.destroyed) {
          if (!source.write(frame.payload) && !waitingForDrain) {
            // Backpressure: the build reads the tar slower than the hook sends it.
            waitingForDrain = true;
            socket.pause();
            source.once('drain', () => {
              waitingForDrain = false;
              socket.resume();
            });
          }
        } else if (frame.type === FRAME.end && source && !source.destroyed) {
          source.end();
        } else if (frame.type === FRAME.fail && source && !source.destroyed) {
          source.destroy(new Error(`git archive failed: ${frame.payload.toString('utf8').trim().slice(0, 2000)}`));
        }
      }
    });

    async function run(payload: Buffer): Promise<void> {
      const hello = parseHello(payload);
      if (!hello) return finish(1, [PUSH_MESSAGES.badHello]);
      const grant = tickets.redeem(hello.ticket);
      if (!grant || grant.app !== hello.app) return finish(1, [PUSH_MESSAGES.unauthorized]);
      app = grant.app;
      const plan = planPush(hello.updates, { reviewBranches: options.reviewBranches?.(grant.app) === true });
      if (!plan.ok) return finish(1, plan.messages);
      if (plan.deploy) {
        source = new PassThrough({ highWaterMark: SOURCE_BUFFER_BYTES });
        // Errors reach whoever reads the tar; this listener only keeps an unread
        // source from crashing the daemon.
        source.on('error', () => undefined);
        send(FRAME.archive, plan.deploy.newRev);
      }
      const output = createOutput(socket);
      let code: number;
      try {
        code = exitCodeOf(
          await options.onPush({
            ticketId: grant.id,
            app: grant.app,
            user: grant.user,
            updates: hello.updates,
            deploy: plan.deploy,
            deletes: plan.deletes ?? [],
            source,
            output,
            signal: abort.signal,
          }),
        );
      } catch (error) {
        report(error, { app });
        output.write(`${PUSH_MESSAGES.internal}\n`);
        code = 1;
      }
      output.end();
      await finished(output).catch(() => undefined); // flushed or failed: either way, no more to send
      finish(code);
    }
  }

  return {
    socketPath: options.socketPath,
    async listen() {
      await removeStaleSocket(options.socketPath);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
      await chmod(options.socketPath, 0o600);
    },
    authorize(app, authorizeOptions = {}) {
      const { id, token } = tickets.issue({ app: assertAppName(app), user: authorizeOptions.user ?? null });
      return {
        id,
        env: { [PUSH_ENV.socket]: options.socketPath, [PUSH_ENV.ticket]: token },
        revoke: () => tickets.revoke(id),
      };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of connections) socket.destroy();
      await closed;
    },
  };
}

/** Output frames, with the socket's backpressure; after the pusher left, writes are dropped. */
function createOutput(socket: Socket): Writable {
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const frames = encodeFrames(FRAME.output, chunk);
      if (frames.length === 0 || socket.destroyed || !socket.writable) return callback();
      frames.forEach((frame, index) => {
        if (index < frames.length - 1) socket.write(frame);
        else socket.write(frame, () => callback());
      });
    },
  });
  // Writes after the push ended have nowhere to go; that is not the writer's failure.
  output.on('error', () => undefined);
  return output;
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    const stats = await lstat(path);
    if (!stats.isSocket()) throw new Error(`${path} exists and is not a socket: refusing to replace it`);
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
