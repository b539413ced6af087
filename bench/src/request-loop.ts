import { Agent } from 'node:http';

import { get } from './http-probe.js';

export interface Sample {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  /** The answer's body, or the error. */
  readonly detail: string;
}

export interface RequestLoop {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

/**
 * `concurrency` clients over keep-alive connections, every answer kept. Each starts a request
 * every `intervalMs` (or as soon as the previous one is answered, if that is later), the
 * clients spread evenly over the interval; with no interval, back to back.
 */
export function startRequestLoop(port: number, host: string, concurrency: number, intervalMs = 0): RequestLoop {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: Sample[] = [];
  let running = true;
  const client = async (index: number): Promise<void> => {
    let next = performance.now() + (intervalMs * index) / concurrency;
    while (running) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!running) break;
      const start = performance.now();
      next = Math.max(next + intervalMs, start);
      try {
        const answer = await get(port, host, '/', agent, 10_000);
        samples.push({ start, end: performance.now(), ok: answer.status === 200, detail: answer.status === 200 ? answer.body : `${String(answer.status)} ${answer.body.slice(0, 120)}` });
      } catch (error) {
        samples.push({ start, end: performance.now(), ok: false, detail: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  const clients = Array.from({ length: concurrency }, (_, index) => client(index));
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
    },
  };
}

/**
 * When the new release served every request: the end of the first answer from it among
 * requests sent after the last one the old release answered. Undefined when none did.
 */
export function liveAt(samples: readonly Sample[], since: number, isNew: (body: string) => boolean): number | undefined {
  const after = samples.filter((s) => s.start >= since);
  const lastOldStart = Math.max(since, ...after.filter((s) => s.ok && !isNew(s.detail)).map((s) => s.start));
  const firstNew = after.filter((s) => s.ok && isNew(s.detail) && s.start >= lastOldStart).sort((a, b) => a.end - b.end)[0];
  return firstNew?.end;
}
