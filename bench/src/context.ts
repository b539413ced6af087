import type { Figure } from './figure.js';
import type { Runtime } from './paasd-process.js';

/** What every benchmark gets from main: how many runs, which runtimes, where to say what it does. */
export interface BenchContext {
  readonly runs: number;
  readonly runtimes: readonly Runtime[];
  /** Progress for the operator, on stderr. */
  log(message: string): void;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Tools it needs on PATH (installed with apt-get when missing). */
  readonly tools?: readonly string[];
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** Runs `body` `runs` times, in order, and collects what each run returns. */
export async function repeat<T>(runs: number, body: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < runs; i += 1) results.push(await body(i));
  return results;
}
