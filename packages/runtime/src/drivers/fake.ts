import { setTimeout as sleep } from 'node:timers/promises';

import type { OneOffSpec, ProcessInfo, ProcessSpec, RuntimeDriver, SlugRef } from '../driver.js';
import { silentLogger } from './shared/driver-logger.js';
import { createEventHub } from './shared/event-hub.js';

/** How a fake process behaves, chosen per process by the test (by its command, say). */
export interface FakeProgram {
  /** start() fails with this, as a spawn that cannot happen (ENOENT, E2BIG). */
  readonly startError?: string;
  /** Printed on stdout at start. */
  readonly output?: readonly string[];
  /** Accepts connections this long after start; never when absent. */
  readonly bindsAfterMs?: number;
  /** Exits by itself this long after start, with `exitCode` (default 1). */
  readonly exitsAfterMs?: number;
  readonly exitCode?: number;
  /** Killed by the memory limit when it exits by itself. */
  readonly oom?: boolean;
  /** Only SIGKILL ends it. */
  readonly ignoresSigterm?: boolean;
}

export interface FakeDriverOptions {
  /** The program of each process and one-off; by default it binds at once and runs forever. */
  readonly program?: (spec: ProcessSpec | OneOffSpec) => FakeProgram;
  /** prepare() fails with this for a slug (it could not be unpacked). */
  readonly prepareError?: (slug: SlugRef) => string | undefined;
}

interface FakeProcess {
  info: ProcessInfo;
  readonly program: FakeProgram;
  readonly bindsAt: number | undefined;
  readonly timers: NodeJS.Timeout[];
  ended: boolean;
}

export interface FakeDriver extends RuntimeDriver {
  /** Whether a fake process accepts connections at the address: the manager's `probe`. */
  accepts(address: { host: string; port: number }): Promise<boolean>;
  /** Every start() call, in order, as `web.1@v2`. */
  readonly started: string[];
  /** Every stop(), in order, as `web.1@v2` plus `!` when it had to be killed. */
  readonly stopped: string[];
}

/**
 * A driver with no processes behind it, for testing what uses a driver (the process
 * manager above all) fast and deterministically: each process follows a FakeProgram.
 * It keeps the driver's promises — ids, listing, exit events once, stop with a grace
 * period, one-offs with exit codes — but runs nothing.
 */
export function createFakeDriver(options: FakeDriverOptions = {}): FakeDriver {
  const hub = createEventHub(silentLogger);
  const programOf = options.program ?? ((): FakeProgram => ({ bindsAfterMs: 0 }));
  const processes = new Map<string, FakeProcess>();
  const started: string[] = [];
  const stopped: string[] = [];
  let count = 0;
  let closed = false;

  const label = (p: { name: string; release: number }): string => `${p.name}@v${String(p.release)}`;
  const end = (p: FakeProcess, code: number | null, signal: string | null, oom = false): void => {
    if (p.ended) return;
    p.ended = true;
    for (const timer of p.timers) clearTimeout(timer);
    p.info = { ...p.info, status: 'exited', ...(code === null ? {} : { exitCode: code }) };
    const { id, name, app } = p.info;
    hub.emit({ type: 'exit', id, name, app, code, signal, oom });
  };

  return {
    name: 'local',
    started,
    stopped,
    async prepare(slug) {
      if (closed) throw new Error('the fake driver is closed');
      const error = options.prepareError?.(slug);
      if (error !== undefined) throw new Error(error);
    },
    async start(spec) {
      if (closed) throw new Error('the fake driver is closed');
      await this.prepare(spec.slug);
      const program = programOf(spec);
      started.push(label({ name: `${spec.type}.${String(spec.index)}`, release: spec.release }));
      if (program.startError !== undefined) throw new Error(program.startError);
      count += 1;
      const name = `${spec.type}.${String(spec.index)}`;
      const info: ProcessInfo = {
        id: `fake-${String(count)}`,
        app: spec.app,
        release: spec.release,
        type: spec.type,
        index: spec.index,
        name,
        status: 'running',
        address: { host: '127.0.0.1', port: 40_000 + count },
        startedAt: new Date().toISOString(),
      };
      const p: FakeProcess = { info, program, bindsAt: program.bindsAfterMs === undefined ? undefined : Date.now() + program.bindsAfterMs, timers: [], ended: false };
      processes.set(info.id, p);
      // Output and a self-inflicted exit come after start() has answered, as from a real process.
      setImmediate(() => {
        for (const line of program.output ?? []) hub.emit({ type: 'output', id: info.id, name, app: spec.app, stream: 'stdout', line });
      });
      if (program.exitsAfterMs !== undefined) {
        p.timers.push(setTimeout(() => end(p, program.oom ? 137 : program.exitCode ?? 1, program.oom ? 'SIGKILL' : null, program.oom ?? false), program.exitsAfterMs));
      }
      return info;
    },
    async stop(id, { graceMs }) {
      const p = processes.get(id);
      if (!p) return { killed: false };
      const killed = !p.ended && p.program.ignoresSigterm === true;
      if (killed) await sleep(graceMs);
      end(p, null, killed ? 'SIGKILL' : 'SIGTERM');
      processes.delete(id);
      stopped.push(`${label(p.info)}${killed ? '!' : ''}`);
      return { killed };
    },
    async list() {
      if (closed) throw new Error('the fake driver is closed');
      return [...processes.values()].map((p) => p.info);
    },
    async accepts(address) {
      const now = Date.now();
      return [...processes.values()].some(
        (p) => !p.ended && p.bindsAt !== undefined && p.bindsAt <= now && p.info.address.port === address.port && p.info.address.host === address.host,
      );
    },
    async run(spec, io) {
      if (closed) throw new Error('the fake driver is closed');
      await this.prepare(spec.slug);
      const program = programOf(spec);
      if (program.startError !== undefined) throw new Error(program.startError);
      for (const line of program.output ?? []) io.stdout.write(`${line}\n`);
      if (io.signal?.aborted) return { exitCode: null };
      return { exitCode: program.exitCode ?? 0 };
    },
    subscribe: hub.subscribe,
    async close() {
      closed = true;
      for (const p of processes.values()) for (const timer of p.timers) clearTimeout(timer);
    },
  };
}
