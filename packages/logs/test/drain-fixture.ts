import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { DrainReports, DrainTarget } from '../src/drain.js';
import type { LogEvent } from '../src/log-event.js';

export const TOKEN = 'd.01234567-89ab-cdef-0123-456789abcdef';

export function target(url: string): DrainTarget {
  return { id: 'drain-1', app: 'demo', url, token: TOKEN };
}

export function appLine(seq: number, padding = ''): LogEvent {
  return { time: new Date().toISOString(), source: 'app', process: 'web.1', line: `request served seq=${String(seq)}${padding}` };
}

export interface RecordedReports extends DrainReports {
  readonly errors: string[];
  readonly overflows: string[];
}

export function recordReports(): RecordedReports {
  const errors: string[] = [];
  const overflows: string[] = [];
  return { errors, overflows, onError: (line) => errors.push(line), onOverflow: (line) => overflows.push(line) };
}

/** The N of an `Error L10 … N messages dropped since …` line. */
export function droppedIn(line: string): number {
  const match = /^Error L10 \(output buffer overflow\): (\d+) messages dropped since \d{4}-\d\d-\d\dT[\d:.]+Z\.$/.exec(line);
  if (match === null) throw new Error(`not an L10 line: ${line}`);
  return Number(match[1]);
}

export function seqOf(line: string): number {
  const match = /seq=(\d+)/.exec(line);
  if (match === null) throw new Error(`no seq= in ${line}`);
  return Number(match[1]);
}

/**
 * Splits an RFC 6587 octet-counted byte stream into messages, across chunk boundaries.
 * Throws on anything that is not `<digits> <message>`: a framing bug must fail the test.
 */
export function createFrameReader(): (chunk: Buffer) => string[] {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const messages: string[] = [];
    let offset = 0;
    for (;;) {
      const space = pending.indexOf(0x20, offset);
      if (space < 0) break;
      const prefix = pending.subarray(offset, space).toString('latin1');
      if (!/^[1-9]\d{0,7}$/.test(prefix)) throw new Error(`bad octet count ${JSON.stringify(prefix.slice(0, 20))}`);
      const end = space + 1 + Number(prefix);
      if (end > pending.length) break;
      messages.push(pending.subarray(space + 1, end).toString('utf8'));
      offset = end;
    }
    pending = pending.subarray(offset);
    return messages;
  };
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-logs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nobody listens on right now (the OS picks it, we release it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} exited with ${String(code)}: ${stderr}`);
}

/** A self-signed certificate for localhost and 127.0.0.1, made by the real openssl. */
export async function makeCertificate(dir: string): Promise<{ key: string; cert: string }> {
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], dir);
  return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
}

/** Pushes lines in slices, yielding between them so I/O runs, as a busy app's log stream would. */
export async function burst(count: number, slice: number, push: (seq: number) => void, between?: () => void | Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += slice) {
    for (let seq = start; seq < Math.min(count, start + slice); seq += 1) push(seq);
    await (between?.() ?? new Promise<void>((resolve) => setImmediate(resolve)));
  }
}
