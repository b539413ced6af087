import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface SlugProcess {
  readonly port: number;
  readonly output: () => string;
  /** GETs a path, retrying until the process answers (or the deadline passes). */
  get(path: string, deadlineMs?: number): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts a process type from an unpacked slug the way Heroku does: HOME is the app
 * dir, `.profile.d/*.sh` are sourced, then the command runs under bash. PATH starts
 * out empty, so every program must come from the slug.
 */
export async function startSlugProcess(appDir: string, command: string, env: Readonly<Record<string, string>>): Promise<SlugProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn('/bin/bash', ['-c', 'for f in .profile.d/*.sh; do . "$f"; done; exec /bin/bash -c "$1"', 'paas-run', command], {
    cwd: appDir,
    env: { HOME: appDir, PATH: '/nonexistent', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: `npm start` and the like leave the server as a grandchild.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    output: () => output,
    async get(path, deadlineMs = 15_000) {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        try {
          return await fetch(`http://127.0.0.1:${String(port)}${path}`);
        } catch (error) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no answer on port ${String(port)}: ${output}`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // The group is gone already: nothing left to stop.
        }
      }
      await exited;
      // Whatever the command started and left behind goes with it.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: every process of the group has exited.
      }
    },
  };
}
