/**
 * The pre-receive hook of every app repository (the shell file in `hooks/` only
 * `exec`s Node with this script). Git runs it inside the push, with the pushed
 * objects still quarantined, so this is the one place that can read the new tree.
 *
 * It reads git's `<old> <new> <ref>` lines, connects to the daemon's push socket
 * (PAAS_PUSH_SOCKET, handed down the environment with the ticket PAAS_PUSH_TICKET),
 * announces the push, streams `git archive` of the revision the daemon asks for,
 * copies whatever the daemon sends to stdout (git shows it as `remote:` lines) and
 * exits with the code the daemon sends last. The framing is in `../push-frames.ts`.
 * Anything unexpected exits 1 with a ` !     ` line, which rejects the push.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { basename } from 'node:path';

import { FRAME, FrameDecoder, HELLO_VERSION, PUSH_ENV, REV_PATTERN, encodeFrame, encodeFrames } from '../push-frames.js';
import type { Hello } from '../push-frames.js';

type Update = Hello['updates'][number];

const MAX_STDIN_BYTES = 16 * 1024 * 1024;
const MAX_ARCHIVE_STDERR = 16 * 1024;
const UPDATE_LINE = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (\S.*)$/;

function say(message: string): void {
  process.stdout.write(` !     ${message}\n`);
}

async function readUpdates(): Promise<Update[] | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) return null;
    chunks.push(chunk);
  }
  const updates: Update[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (line === '') continue;
    const match = UPDATE_LINE.exec(line);
    if (!match) return null;
    const [, oldRev = '', newRev = '', ref = ''] = match;
    updates.push({ oldRev, newRev, ref });
  }
  return updates;
}

/** Streams `git archive` of `rev` as data frames, then an end or fail frame. */
function streamArchive(socket: Socket, rev: string, updates: readonly Update[]): ChildProcess | null {
  if (!REV_PATTERN.test(rev) || !updates.some((update) => update.newRev === rev)) {
    socket.write(encodeFrame(FRAME.fail, 'the daemon asked for a revision this push did not announce'));
    return null;
  }
  const env = { ...process.env };
  delete env[PUSH_ENV.ticket]; // used up; git archive has no business with it
  // The environment carries git's quarantine (GIT_QUARANTINE_PATH and friends), so
  // the pushed objects are visible to this child.
  const child = spawn('git', ['archive', '--format=tar', '--', rev], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < MAX_ARCHIVE_STDERR) stderr += text;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (!socket.writable) return;
    let flowing = true;
    for (const frame of encodeFrames(FRAME.data, chunk)) flowing = socket.write(frame);
    if (!flowing) {
      child.stdout.pause();
      socket.once('drain', () => child.stdout.resume());
    }
  });
  child.on('error', (error) => {
    if (socket.writable) socket.write(encodeFrame(FRAME.fail, `could not run git archive: ${error.message}`));
  });
  child.on('close', (code) => {
    if (!socket.writable) return;
    if (code === 0) socket.write(encodeFrame(FRAME.end));
    else socket.write(encodeFrame(FRAME.fail, stderr.trim() || `git archive exited with ${String(code)}`));
  });
  return child;
}

function talk(socketPath: string, hello: Hello): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const decoder = new FrameDecoder();
    let connected = false;
    let archive: ChildProcess | null = null;
    let done = false;
    const finish = (code: number, message?: string): void => {
      if (done) return;
      done = true;
      if (message !== undefined) say(message);
      archive?.kill('SIGTERM');
      socket.destroy();
      resolve(code);
    };

    process.stdout.on('error', () => finish(1)); // git stopped listening: nobody left to tell
    socket.on('connect', () => {
      connected = true;
      socket.write(encodeFrame(FRAME.hello, JSON.stringify(hello)));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        1,
        connected
          ? `Lost the connection to paas during the build (${error.code ?? error.message}); this push was not deployed.`
          : `Could not reach paas to build this push (${error.code ?? error.message}); nothing was deployed. Try again in a moment.`,
      );
    });
    socket.on('close', () => finish(1, 'Lost the connection to paas during the build; this push was not deployed.'));
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        finish(1, 'paas sent something this hook cannot read; this push was not deployed.');
        return;
      }
      for (const frame of frames) {
        if (frame.type === FRAME.output) {
          process.stdout.write(frame.payload);
        } else if (frame.type === FRAME.archive && archive === null) {
          archive = streamArchive(socket, frame.payload.toString('latin1'), hello.updates);
        } else if (frame.type === FRAME.exit) {
          finish(frame.payload[0] ?? 1);
          return;
        }
      }
    });
  });
}

async function main(): Promise<number> {
  const socketPath = process.env[PUSH_ENV.socket];
  const ticket = process.env[PUSH_ENV.ticket];
  if (!socketPath || !ticket) {
    say('This repository takes pushes only through paas: push to the app\'s paas git URL.');
    return 1;
  }
  const updates = await readUpdates();
  if (!updates) {
    say('paas could not read the ref updates git passed to its hook; nothing was deployed.');
    return 1;
  }
  // Hooks of a bare repository run in it: `<root>/<app>.git`.
  const app = basename(process.cwd()).replace(/\.git$/, '');
  return talk(socketPath, { v: HELLO_VERSION, ticket, app, updates });
}

const exit = (code: number): void => {
  // Flush what is queued for git, then leave even if a child is still winding down.
  process.stdout.write('', () => process.exit(code));
};
main().then(exit, (error: unknown) => {
  say(`paas's git hook failed: ${error instanceof Error ? error.message : String(error)}`);
  exit(1);
});
