import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

export interface ExecOptions {
  /** The user inside the container (postgres, redis). */
  readonly user: string;
  /** Fed to the command's stdin: SQL, Redis commands, or a dump file's stream. */
  readonly input?: string | Readable;
  /** Where stdout goes (a dump); when absent it is collected and returned. */
  readonly output?: Writable;
  readonly timeoutMs?: number;
  /** Strings (passwords) replaced in an error's text: psql quotes the statement that failed. */
  readonly secrets?: readonly string[];
}

function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join('[redacted]')), text);
}

function collector(limit: number): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (size < limit) chunks.push(chunk);
      size += chunk.length;
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Waits for the exec's process to be reported ended, and gives its exit code. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 100; i += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await sleep(50);
  }
  throw new Error('the engine did not report the command\'s exit');
}

/**
 * Runs a command inside a container with an argument array (never a shell line), stdin
 * fed from `input`, stdout collected or streamed to `output`; a non-zero exit rejects with
 * its stderr. The output stream is ended when the command ends.
 */
export async function execIn(docker: Docker, container: string, cmd: readonly string[], options: ExecOptions): Promise<string> {
  const withStdin = options.input !== undefined;
  const exec = await docker.getContainer(container).exec({ Cmd: [...cmd], User: options.user, Env: ['LANG=C.UTF-8'], AttachStdin: withStdin, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: withStdin });
  const out = options.output ? undefined : collector(16 * 1024 * 1024);
  const err = collector(64_000);
  const stdout = new PassThrough();
  const stdoutDone = new Promise<void>((resolve, reject) => {
    const target = options.output ?? out?.stream;
    if (!target) return resolve();
    stdout.pipe(target);
    target.once('finish', resolve);
    target.once('error', reject);
  });
  stdoutDone.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  docker.modem.demuxStream(stream, stdout, err.stream);
  if (typeof options.input === 'string') stream.end(options.input);
  else if (options.input) options.input.pipe(stream);
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    if ((await Promise.race([ended, timedOut])) === 'timeout') {
      stream.destroy();
      throw new Error(`${cmd[0] ?? 'command'} did not finish in ${String(timeoutMs / 1000)} s`);
    }
  } finally {
    clearTimeout(timer);
  }
  stdout.end();
  await stdoutDone;
  const code = await exitCodeOf(exec);
  if (code !== 0) throw new Error(`${cmd[0] ?? 'command'} exited with ${String(code)}: ${redact(err.text().trim(), options.secrets).slice(0, 2000)}`);
  return out?.text() ?? '';
}
