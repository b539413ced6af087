import type { FormationEntry } from '@paas/core';

import type { ProcessInfo } from './driver.js';

/** A process as the manager knows it: the driver's view plus readiness for web traffic. */
export interface ObservedProcess extends ProcessInfo {
  /** Accepts connections on `$PORT` (web) or simply runs (other types). */
  readonly ready: boolean;
}

export interface ConvergenceInput {
  /** The release that serves now; null before the first deploy. */
  readonly current: number | null;
  /** The release being deployed; equal to `current` in steady state. */
  readonly target: number | null;
  readonly formation: readonly FormationEntry[];
  /** This app's processes, as observed. */
  readonly processes: readonly ObservedProcess[];
  /** Whether a crashed `type.index` may be started again now (backoff). */
  readonly restartDue: (name: string) => boolean;
}

export interface PlannedStart {
  readonly release: number;
  readonly type: string;
  readonly index: number;
  readonly name: string;
}

export interface PlannedStop {
  readonly id: string;
  readonly name: string;
  readonly reason: 'crashed' | 'old-release' | 'scaled-down';
}

export interface ConvergencePlan {
  readonly start: readonly PlannedStart[];
  readonly stop: readonly PlannedStop[];
  /** Crashed processes waiting for their backoff to pass. */
  readonly waiting: readonly string[];
  /** The release whose ready web processes the router sends traffic to. */
  readonly serving: number | null;
  /** Every web process of the target is up (or no deploy is under way): old processes can go. */
  readonly switched: boolean;
}

function wantedNames(formation: readonly FormationEntry[]): { type: string; index: number; name: string }[] {
  return formation.flatMap((entry) =>
    Array.from({ length: entry.quantity }, (_, i) => ({ type: entry.type, index: i + 1, name: `${entry.type}.${String(i + 1)}` })),
  );
}

/**
 * What to start and stop so that `target` runs with `formation`. Zero downtime comes
 * from one rule: while a deploy is under way (target ≠ current), old processes keep
 * running and other types wait, until every web process of the target is ready; then
 * the router switches and the old processes are stopped.
 */
export function planConvergence(input: ConvergenceInput): ConvergencePlan {
  const { target, current } = input;
  if (target === null) {
    // Nothing deployed: anything running is a leftover.
    return {
      start: [],
      stop: input.processes.map((p) => ({ id: p.id, name: p.name, reason: 'old-release' as const })),
      waiting: [],
      serving: null,
      switched: true,
    };
  }
  const wanted = wantedNames(input.formation);
  const ofTarget = input.processes.filter((p) => p.release === target);
  const others = input.processes.filter((p) => p.release !== target);
  const byName = new Map(ofTarget.map((p) => [p.name, p]));
  const wantedSet = new Set(wanted.map((w) => w.name));

  const webReady = wanted
    .filter((w) => w.type === 'web')
    .every((w) => {
      const p = byName.get(w.name);
      return p !== undefined && p.status === 'running' && p.ready;
    });
  const deploying = target !== current;
  const switched = webReady || !deploying;
  // In steady state another release's web processes (left by an interrupted deploy or
  // a rollback) serve until the target has a ready web process of its own.
  const targetServes = webReady || ofTarget.some((p) => p.type === 'web' && p.status === 'running' && p.ready);
  const otherServing = others.filter((p) => p.type === 'web' && p.status === 'running' && p.ready);

  const start: PlannedStart[] = [];
  const stop: PlannedStop[] = [];
  const waiting: string[] = [];
  for (const w of wanted) {
    const existing = byName.get(w.name);
    if (existing?.status === 'running') continue;
    // A crashed process stays listed (and visible in `ps`) until its backoff allows a restart.
    if (existing && !input.restartDue(w.name)) {
      waiting.push(w.name);
      continue;
    }
    if (existing) stop.push({ id: existing.id, name: existing.name, reason: 'crashed' });
    // Other types of a new release start only once its web processes have taken over.
    if (w.type !== 'web' && !switched) continue;
    start.push({ release: target, type: w.type, index: w.index, name: w.name });
  }
  for (const p of ofTarget) {
    if (!wantedSet.has(p.name)) stop.push({ id: p.id, name: p.name, reason: 'scaled-down' });
  }
  for (const p of others) {
    const keep = p.status === 'running' && (deploying ? !webReady : !targetServes && otherServing.includes(p));
    if (!keep) stop.push({ id: p.id, name: p.name, reason: 'old-release' });
  }
  let serving: number | null = target;
  if (deploying && !webReady) serving = current;
  else if (!deploying && !targetServes && otherServing[0]) serving = otherServing[0].release;
  return { start, stop, waiting, serving, switched: webReady || !deploying };
}

/** Web processes the router may use: ready ones of the serving release. */
export function routableProcesses(plan: ConvergencePlan, processes: readonly ObservedProcess[]): ObservedProcess[] {
  // What the plan stops leaves the table now, before its SIGTERM: a scaled-down process
  // is of the serving release, and routed until then it would get requests as it exits.
  const stopped = new Set(plan.stop.map((s) => s.id));
  return processes.filter((p) => p.type === 'web' && p.release === plan.serving && p.status === 'running' && p.ready && !stopped.has(p.id));
}
