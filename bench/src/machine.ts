import { cpus, freemem, hostname, loadavg, release, totalmem } from 'node:os';

import { run } from './command.js';

export interface Machine {
  readonly hostname: string;
  readonly kernel: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryMb: number;
  readonly freeMemoryMb: number;
  readonly loadAverage: readonly number[];
  readonly node: string;
  readonly commit: string;
  readonly docker: string;
  readonly nginx: string;
  readonly wrk: string;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** What the figures were measured on: they mean little without it. */
export async function describeMachine(repoRoot: string): Promise<Machine> {
  const [commit, docker, nginx, wrk] = await Promise.all([
    run('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']),
    run('docker', ['version', '--format', '{{.Server.Version}}']),
    run('nginx', ['-v']),
    run('wrk', ['--version']),
  ]);
  return {
    hostname: hostname(),
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    freeMemoryMb: Math.round(freemem() / 2 ** 20),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    commit: commit.code === 0 ? commit.stdout.trim() : 'unknown',
    docker: docker.code === 0 ? docker.stdout.trim() : 'none',
    nginx: firstLine(nginx.stderr || nginx.stdout) || 'none',
    wrk: firstLine(wrk.stdout || wrk.stderr) || 'none',
  };
}
