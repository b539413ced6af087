import { spawn } from 'node:child_process';

export interface RunOptions {
  readonly input?: string;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Strings (passwords) replaced in an error's text: psql quotes the statement that failed. */
  readonly secrets?: readonly string[];
}

function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join('[redacted]')), text);
}

/** Runs a binary with an argument array (never a shell) and gives back its stdout; a non-zero exit rejects with its stderr. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      timeout: options.timeoutMs ?? 120_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 64_000) err += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command.split('/').at(-1) ?? command} exited with ${signal ?? String(code)}: ${redact(err.trim(), options.secrets).slice(0, 2000)}`));
    });
    child.stdin.on('error', () => undefined); // a command that exits early closes its stdin: its exit says why
    child.stdin.end(options.input ?? '');
  });
}
