import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Runs a command to completion (stdin: a file descriptor, or none); rejects with the end of its stderr. */
export function runCommand(command: string, args: readonly string[], stdin?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin ?? 'ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${String(code)}: ${errors.trim()}`))));
  });
}

/**
 * A full writable copy of the unpacked slug, for where overlay mounts are not allowed
 * (see local-app-dir.ts). `--reflink=auto` makes the copy a copy-on-write clone on
 * btrfs/XFS and a plain copy elsewhere. A hard-link copy (`cp -al`) would be cheaper, but
 * a process writing to a file in place would then change it for every process of the
 * slug and for future ones: the local driver runs processes as paasd's own user (often
 * root), so file permissions cannot protect it.
 */
export function copyAppDir(from: string, to: string): Promise<void> {
  return runCommand('cp', ['-a', '--reflink=auto', '--', `${from}/.`, to]);
}

/** A TCP port free on `host` right now (the OS picks it); `avoid` holds ports handed out but maybe not bound yet. */
export async function pickFreePort(host: string, avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    if (!avoid.has(port)) return port;
  }
  throw new Error(`could not find a free TCP port on ${host}`);
}
