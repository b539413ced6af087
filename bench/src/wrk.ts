import { run } from './command.js';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors plus non-2xx/3xx answers. */
  readonly errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  return n;
}

/** Parses `wrk --latency` output. */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const latency = (p: string): number => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return match ? toMs(match[1] ?? 'NaN', match[2] ?? 'ms') : Number.NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: rps ? Number(rps[1]) : Number.NaN,
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    errors: socketErrors + (non2xx ? Number(non2xx[1]) : 0),
  };
}

export interface WrkOptions {
  readonly url: string;
  readonly host: string;
  readonly connections: number;
  readonly threads: number;
  readonly seconds: number;
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const result = await run('wrk', [
    `-t${String(options.threads)}`,
    `-c${String(options.connections)}`,
    `-d${String(options.seconds)}s`,
    '--latency',
    '-H',
    `Host: ${options.host}`,
    options.url,
  ]);
  if (result.code !== 0) throw new Error(`wrk failed (${String(result.code)}): ${result.stderr}`);
  return parseWrk(result.stdout);
}
