import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { PROCESS_SIZES } from '@paas/core';
import type { FormationEntry } from '@paas/core';

import type { ObservedProcess } from './convergence-plan.js';
import { deployFailureMessage, judgeDeploy } from './deploy-verdict.js';
import { processStatuses } from './process-status.js';
import { runReleasePhase } from './release-phase.js';
import { planConvergence, routableProcesses } from './convergence-plan.js';
import type { ReleaseSpec } from './desired-state.js';
import { processEnv } from './desired-state.js';
import type { DriverEvent, OneOffIo, ProcessInfo } from './driver.js';
import type { AppState, DeployResult, OneOffOptions, ProcessEvent, ProcessManagerOptions, ProcessStatus } from './manager-types.js';
import { acceptsConnections, probePauseMs } from './readiness.js';
import { createRestartBackoff } from './restart-backoff.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type { AppLogLine, AppState, Backend, DeployResult, OneOffOptions, ProcessEvent, ProcessManagerOptions, ProcessStatus } from './manager-types.js';

export const DEFAULT_BOOT_TIMEOUT_MS = 60_000;

/** `run.1234`: a one-off's name, as Heroku gives it. */
export function oneOffName(): string {
  return `run.${String(randomInt(1000, 10000))}`;
}
export const DEFAULT_GRACE_MS = 30_000;
/** A deploy as a whole gets the boot timeout and this much more, so a process's own R10 is what speaks first. */
const DEPLOY_DEADLINE_SLACK_MS = 2_000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Converges what runs to what should run, app by app, on every change and on a timer.
 * Actual state comes from the driver, so a restarted paasd adopts running processes.
 */
export function createProcessManager(options: ProcessManagerOptions) {
  const { driver, desired } = options;
  const bootTimeoutMs = options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const probe = options.probe ?? ((address) => acceptsConnections(address));
  const now = options.now ?? Date.now;
  const debug = (fields: object, message: string): void => options.logger?.debug(fields, message);
  /** When each process's start was asked of the driver (performance.now), for the stage timings in the debug log. */
  const startAsked = new Map<string, number>();
  /** The backends last handed to the router, per app: a change is a route switch worth a debug line. */
  const lastRouted = new Map<string, string>();
  const backoff = createRestartBackoff(options.backoff);
  const ready = new Set<string>();
  const probing = new Set<string>();
  /** Stops under way, by process id: a second caller waits for the same stop instead of passing it by. */
  const stopping = new Map<string, Promise<void>>();
  /**
   * Processes this manager stopped and removed. A listing read just before a removal
   * finishes after it: without this, the stopped process would come back as running
   * (and be stopped, logged and drained a second time).
   */
  const removed = new Map<string, number>();
  let removals = 0;
  const targets = new Map<string, number>();
  const queues = new Map<string, Promise<void>>();
  const deployWatchers = new Map<string, () => void>();
  /** Why a deploy under way failed: a web process of the target exited or never bound $PORT. */
  const deployFailures = new Map<string, string>();
  const failDeploy = (p: { app: string; release: number; type: string; name: string }, why: string): void => {
    if (p.type === 'web' && targets.get(p.app) === p.release && !deployFailures.has(p.app)) deployFailures.set(p.app, `${p.name} ${why}`);
  };
  let observed: ProcessInfo[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** Deadlines of deploys under way: cleared on close, so none judges a deploy against a closed store. */
  const deployDeadlines = new Set<NodeJS.Timeout>();
  let closed = false;

  const log = (app: string, process: string, line: string): void => options.onLog({ app, source: 'paas', process, line });
  const tell = (p: { app: string; release: number; name: string; type: string }, event: DistributiveOmit<ProcessEvent, 'app' | 'release' | 'name' | 'type'>): void => {
    try {
      options.onProcessEvent?.({ app: p.app, release: p.release, name: p.name, type: p.type, ...event });
    } catch (error) {
      report(error, p.app);
    }
  };
  const report = (error: unknown, app?: string): void => options.onError?.(error, app === undefined ? {} : { app });

  /** Runs `task` after the app's previous task: one convergence at a time per app. */
  function serial(app: string, task: () => Promise<void>): Promise<void> {
    const run = (queues.get(app) ?? Promise.resolve()).then(task).catch((error: unknown) => report(error, app));
    queues.set(app, run);
    void run.then(() => {
      if (queues.get(app) === run) queues.delete(app);
    });
    return run;
  }

  const observe = (app: string): ObservedProcess[] =>
    observed
      .filter((p) => p.app === app && !stopping.has(p.id))
      .map((p) => ({ ...p, ready: p.status === 'running' && (p.type !== 'web' || ready.has(p.id)) }));

  function stateOf(formation: readonly FormationEntry[], processes: readonly ObservedProcess[], routed: number): AppState {
    const web = formation.find((f) => f.type === 'web');
    if (!web || web.quantity === 0) return 'no-web';
    if (routed > 0) return 'running';
    return processes.some((p) => p.type === 'web' && p.status === 'exited') ? 'crashed' : 'booting';
  }

  function stopProcess(p: ProcessInfo, reason: string): Promise<void> {
    const underway = stopping.get(p.id);
    if (underway) return underway;
    const stop = stopNow(p, reason).finally(() => {
      if (stopping.get(p.id) === stop) stopping.delete(p.id);
    });
    stopping.set(p.id, stop);
    return stop;
  }

  async function stopNow(p: ProcessInfo, reason: string): Promise<void> {
    try {
      if (p.type === 'web' && p.status === 'running' && options.drain) {
        const drainStarted = performance.now();
        await options.drain(p.id);
        debug({ app: p.app, id: p.id, name: p.name, drainMs: Math.round(performance.now() - drainStarted) }, 'process drained');
      }
      if (p.status === 'running') log(p.app, p.name, `Stopping process (${reason}) with SIGTERM`);
      const stopStarted = Date.now();
      const result = await driver.stop(p.id, { graceMs });
      if (p.status === 'running') tell(p, { kind: 'stopped', stopMs: Date.now() - stopStarted, killed: result.killed });
      // Only once it is gone: a stop that failed leaves it listed, so a later convergence retries.
      removals += 1;
      removed.set(p.id, removals);
      if (result.killed) {
        log(p.app, p.name, `Error R12 (Exit timeout) -> Process failed to exit within ${String(graceMs / 1000)} seconds of SIGTERM`);
        log(p.app, p.name, 'Stopping process with SIGKILL');
      }
    } finally {
      ready.delete(p.id);
      startAsked.delete(p.id);
      observed = observed.filter((o) => o.id !== p.id);
    }
  }

  async function startProcess(app: string, release: ReleaseSpec, type: string, index: number, size: keyof typeof PROCESS_SIZES): Promise<void> {
    const name = `${type}.${String(index)}`;
    const command = release.processTypes[type];
    if (command === undefined) return;
    log(app, name, `Starting process with command \`${command}\``);
    const asked = performance.now();
    const info = await driver.start({
      app,
      release: release.version,
      type,
      index,
      slug: release.slug,
      command,
      env: processEnv(app, release, name),
      memoryMb: PROCESS_SIZES[size],
    });
    observed = [...observed.filter((o) => o.id !== info.id), info];
    startAsked.set(info.id, asked);
    debug({ app, id: info.id, name, startMs: Math.round(performance.now() - asked) }, 'process start returned');
    tell(info, { kind: 'started' });
    if (type === 'web') void waitForBoot(info);
    else log(app, name, 'State changed from starting to up');
  }

  /** Probes `$PORT` until the process accepts connections or the boot timeout passes (R10). */
  async function waitForBoot(info: ProcessInfo): Promise<void> {
    if (probing.has(info.id)) return;
    probing.add(info.id);
    const deadline = now() + bootTimeoutMs;
    // Paced from when the start was asked (an adopted process: from now), see probePauseMs.
    const bootBegan = startAsked.get(info.id) ?? performance.now();
    let probes = 0;
    try {
      while (!closed && now() < deadline) {
        const current = observed.find((o) => o.id === info.id);
        if (!current || current.status !== 'running' || stopping.has(info.id)) return;
        probes += 1;
        if (await probe(info.address)) {
          const asked = startAsked.get(info.id);
          debug({ app: info.app, id: info.id, name: info.name, probes, ...(asked === undefined ? {} : { sinceStartMs: Math.round(performance.now() - asked) }) }, 'web process up');
          ready.add(info.id);
          log(info.app, info.name, 'State changed from starting to up');
          tell(info, { kind: 'up', bootMs: Math.max(0, Date.now() - Date.parse(info.startedAt)) });
          void converge(info.app);
          return;
        }
        await sleep(probePauseMs(performance.now() - bootBegan));
      }
      if (closed) return;
      log(info.app, info.name, `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${String(bootTimeoutMs / 1000)} seconds of launch`);
      tell(info, { kind: 'boot-timeout', bootTimeoutMs });
      backoff.crashed(`${info.app}/${info.name}`, now());
      failDeploy(info, `did not bind $PORT within ${String(bootTimeoutMs / 1000)} seconds`);
      await stopProcess(info, 'boot timeout');
      deployWatchers.get(info.app)?.();
      void converge(info.app);
    } finally {
      probing.delete(info.id);
    }
  }

  /** The driver's listing, without processes already stopped and removed here. */
  async function listProcesses(): Promise<ProcessInfo[]> {
    const since = removals;
    const listed = await driver.list();
    const present = new Set(listed.map((p) => p.id));
    // Forgotten once a listing begun after the removal no longer shows the process.
    for (const [id, at] of removed) if (at <= since && !present.has(id)) removed.delete(id);
    return listed.filter((p) => !removed.has(p.id));
  }

  function converge(app: string): Promise<void> {
    return serial(app, async () => {
      if (closed) return;
      const began = performance.now();
      const listed = await listProcesses();
      const listMs = performance.now() - began;
      // Other apps' entries as they are now, after the await: not a copy taken before it.
      observed = [...observed.filter((p) => p.app !== app), ...listed.filter((p) => p.app === app)];
      const spec = desired.app(app);
      const processes = observe(app);
      const current = spec?.current ?? null;
      const targetVersion = targets.get(app) ?? current?.version ?? null;
      const target = targetVersion === null ? null : targetVersion === current?.version ? current : desired.release(app, targetVersion) ?? null;
      const formation = target ? desired.formation(app, target) : [];
      const plan = planConvergence({
        current: current?.version ?? null,
        target: target?.version ?? null,
        formation,
        processes,
        restartDue: (name) => backoff.due(`${app}/${name}`, now()),
      });
      // Route first, then stop: traffic leaves old processes before they get SIGTERM.
      const routed = routableProcesses(plan, processes);
      const routedIds = routed.map((p) => p.id).join(' ');
      if (plan.start.length > 0 || plan.stop.length > 0 || lastRouted.get(app) !== routedIds) {
        debug({ app, listMs: Math.round(listMs), start: plan.start.map((p) => p.name), stop: plan.stop.map((p) => p.id), routed: routed.map((p) => p.id) }, 'convergence planned');
      }
      lastRouted.set(app, routedIds);
      options.onRoutes(app, routed.map((p) => ({ id: p.id, name: p.name, ...p.address })), spec ? stateOf(formation, processes, routed.length) : 'no-web');
      for (const p of processes.filter((o) => o.type === 'web' && o.status === 'running' && !o.ready)) void waitForBoot(p);
      const byId = new Map(processes.map((p) => [p.id, p]));
      for (const s of plan.stop) {
        const p = byId.get(s.id);
        if (p) void stopProcess(p, s.reason === 'crashed' ? 'crashed' : s.reason === 'scaled-down' ? 'scaling' : 'replaced by a new release').catch((e: unknown) => report(e, app));
      }
      if (target) await startPlanned(app, target, formation, plan.start.filter((s) => backoff.due(`${app}/${s.name}`, now())));
      if (targets.has(app)) deployWatchers.get(app)?.();
      for (const name of plan.waiting) wakeAt(app, backoff.nextAttemptAt(`${app}/${name}`));
    });
  }

  /**
   * Starts what the plan asks for. A process that cannot be started at all (its slug does
   * not unpack, the spawn fails: a bad PATH, a command too long for exec) is handled as a
   * crash: said in the app's log, retried with backoff, and it fails the deploy under way.
   */
  async function startPlanned(app: string, target: ReleaseSpec, formation: readonly FormationEntry[], starts: readonly { type: string; index: number; name: string }[]): Promise<void> {
    if (starts.length === 0) return;
    const sizes = new Map(formation.map((f) => [f.type, f.size]));
    let failures: { name: string; type: string; error: unknown }[];
    try {
      await driver.prepare(target.slug);
      const results = await Promise.allSettled(starts.map((s) => startProcess(app, target, s.type, s.index, sizes.get(s.type) ?? 'standard')));
      failures = starts.flatMap((s, i) => {
        const result = results[i];
        return result?.status === 'rejected' ? [{ name: s.name, type: s.type, error: result.reason as unknown }] : [];
      });
    } catch (error) {
      failures = starts.map((s) => ({ name: s.name, type: s.type, error }));
    }
    for (const { name, type, error } of failures) {
      const why = `could not be started: ${messageOf(error)}`;
      log(app, name, `Error: process ${why}`);
      backoff.crashed(`${app}/${name}`, now());
      failDeploy({ app, release: target.version, type, name }, why);
      wakeAt(app, backoff.nextAttemptAt(`${app}/${name}`));
    }
    if (failures.length > 0) deployWatchers.get(app)?.();
  }

  /** Converges `app` again when a crashed process's backoff ends, rather than at the next tick. */
  const wakers = new Map<string, NodeJS.Timeout>();
  function wakeAt(app: string, at: number | undefined): void {
    if (at === undefined || wakers.has(app)) return;
    const timeout = setTimeout(() => {
      wakers.delete(app);
      void converge(app);
    }, Math.max(0, at - now()) + 10);
    timeout.unref();
    wakers.set(app, timeout);
  }

  function onDriverEvent(event: DriverEvent): void {
    if (event.type === 'output') {
      options.onLog({ app: event.app, source: 'app', process: event.name, line: event.line });
      return;
    }
    if (stopping.has(event.id)) return;
    const known = observed.find((p) => p.id === event.id);
    observed = observed.map((p) => (p.id === event.id ? { ...p, status: 'exited' as const, ...(event.code === null ? {} : { exitCode: event.code }) } : p));
    ready.delete(event.id);
    if (event.oom) log(event.app, event.name, 'Error R14 (Memory quota exceeded) -> Process was killed for using more memory than its size allows');
    log(event.app, event.name, `Process exited with status ${event.code === null ? event.signal ?? 'unknown' : String(event.code)}`);
    log(event.app, event.name, 'State changed from up to crashed');
    if (known) {
      tell(known, { kind: 'crashed', code: event.code, signal: event.signal, oom: event.oom });
      backoff.crashed(`${event.app}/${event.name}`, now());
      failDeploy(known, `exited with status ${String(event.code ?? event.signal)}`);
    }
    deployWatchers.get(event.app)?.();
    void converge(event.app);
  }

  return {
    async start(): Promise<void> {
      driver.subscribe(onDriverEvent);
      observed = await driver.list();
      for (const app of new Set([...desired.apps(), ...observed.map((p) => p.app)])) void converge(app);
      timer = setInterval(() => {
        for (const app of new Set([...desired.apps(), ...observed.map((p) => p.app)])) {
          // Keep a crashed process's backoff moving even with no event to wake us.
          void converge(app);
        }
      }, options.intervalMs ?? 5_000);
      timer.unref();
    },
    converge,
    /**
     * Deploys `version`: the release phase first (if the Procfile has one), then new web
     * processes beside the old, the router switch once all answer, then the old ones go.
     * Resolves when the release serves, or failed (the previous release still serves).
     */
    async deploy(app: string, version: number, output?: (line: string) => void, record?: (result: DeployResult) => void): Promise<DeployResult> {
      const release = desired.release(app, version);
      if (!release) {
        record?.({ ok: false });
        return { ok: false, message: `Release v${String(version)} of ${app} does not exist.` };
      }
      const failed = await runReleasePhase({ driver, onLog: options.onLog, say: (line) => output?.(line), serving: desired.app(app)?.current?.version ?? null }, app, release);
      if (failed) {
        record?.(failed);
        return failed;
      }
      backoff.reset(`${app}/`);
      debug({ app, release: version }, 'deploy started');
      targets.set(app, version);
      deployFailures.delete(app);
      const serving = desired.app(app)?.current?.version ?? null;
      const startedAt = now();
      const deadlineMs = bootTimeoutMs + DEPLOY_DEADLINE_SLACK_MS;
      let deadline: NodeJS.Timeout | undefined;
      const outcome = await new Promise<DeployResult>((resolve) => {
        const check = (): void => {
          if (closed) {
            resolve({ ok: false, interrupted: true, message: `paas stopped before v${String(version)} went live.` });
            return;
          }
          const verdict = judgeDeploy({
            version,
            wantedWeb: desired.formation(app, release).find((f) => f.type === 'web')?.quantity ?? 0,
            readyWeb: observe(app).filter((p) => p.release === version && p.type === 'web' && p.ready).length,
            failure: deployFailures.get(app),
            startedAt,
            now: now(),
            deadlineMs,
          });
          if (verdict.state === 'succeeded') resolve({ ok: true });
          else if (verdict.state === 'failed') resolve({ ok: false, message: deployFailureMessage(verdict.reason, version, serving) });
        };
        const guarded = (): void => {
          try {
            check();
          } catch (error) {
            report(error, app);
          }
        };
        deployWatchers.set(app, guarded);
        // Every deploy ends: whatever hangs (an unpack, a start), the deadline judges it.
        deadline = setTimeout(guarded, deadlineMs + 10);
        deployDeadlines.add(deadline);
        void converge(app).then(guarded);
      });
      clearTimeout(deadline);
      if (deadline) deployDeadlines.delete(deadline);
      deployFailures.delete(app);
      deployWatchers.delete(app);
      // The outcome is recorded (the release made current, or failed) in the same step the
      // target is dropped: a convergence in between would take the old release as desired.
      // Left pending when paas stops mid-deploy: the next start settles it.
      if (outcome.interrupted) return outcome;
      record?.(outcome);
      targets.delete(app);
      void converge(app);
      return outcome;
    },
    /**
     * Restarts an app's processes, all or those of one type or name. `stop` says so in
     * the log; either way the formation brings them back, as on Heroku.
     */
    async restart(app: string, selector?: string, reason: 'restart' | 'stop' = 'restart'): Promise<number> {
      backoff.reset(`${app}/`);
      const chosen = observe(app).filter((p) => selector === undefined || p.type === selector || p.name === selector);
      await Promise.all(chosen.map((p) => stopProcess(p, reason === 'stop' ? 'stopped by a user' : 'restart')));
      await converge(app);
      return chosen.length;
    },
    status(app: string): ProcessStatus[] {
      return processStatuses(app, observe(app), desired, (name) => backoff.nextAttemptAt(`${app}/${name}`));
    },
    /** `paas run`: a one-off process of the current release, attached. */
    async runOneOff(
      app: string,
      command: string,
      io: OneOffIo,
      name = oneOffName(),
      options: OneOffOptions = {},
    ): Promise<{ exitCode: number | null; name: string }> {
      const release = desired.app(app)?.current;
      if (!release) throw new Error(`${app} has no deployed code: push first, then run commands.`);
      log(app, name, `Starting process with command \`${command}\``);
      await driver.prepare(release.slug);
      // Variables given for this run (`heroku run -e`) win over config vars, as on Heroku.
      const env = { ...processEnv(app, release, name), ...options.env };
      const { exitCode } = await driver.run(
        { app, release: release.version, name, slug: release.slug, command, env, memoryMb: PROCESS_SIZES[options.size ?? 'standard'] },
        io,
      );
      log(app, name, `Process exited with status ${String(exitCode)}`);
      tell({ app, release: release.version, name, type: 'run' }, { kind: 'one-off', exitCode });
      return { exitCode, name };
    },
    /** The formation changed: crash history is forgotten (as on Heroku) and the app converges. */
    scaled(app: string): Promise<void> {
      backoff.reset(`${app}/`);
      return converge(app);
    },
    /** Stops converging; processes keep running for the next paasd to adopt. */
    async close(): Promise<void> {
      closed = true;
      // Deploys under way end now (failed: paas stopped), rather than wait on a closed store.
      for (const watcher of deployWatchers.values()) watcher();
      if (timer) clearInterval(timer);
      for (const waker of wakers.values()) clearTimeout(waker);
      for (const deadline of deployDeadlines) clearTimeout(deadline);
      await Promise.all([...queues.values()]);
      await driver.close();
    },
    /** Removes every process of an app (app destroyed). */
    async removeApp(app: string): Promise<void> {
      lastRouted.delete(app);
      await serial(app, async () => {
        // Until a listing shows none: a stop that failed (an engine that did not answer) is tried
        // again here rather than left to a later convergence after the destroy was answered.
        for (let attempt = 1; ; attempt += 1) {
          observed = await listProcesses();
          const left = observed.filter((p) => p.app === app);
          if (left.length === 0) return;
          const failed = (await Promise.allSettled(left.map((p) => stopProcess(p, 'app destroyed')))).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          if (attempt >= 3) {
            // Still listed: the app is no longer desired, so the next convergence stops them.
            if (failed.length > 0) throw failed[0];
            return;
          }
          if (failed.length > 0) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      });
    },
  };
}

export type ProcessManager = ReturnType<typeof createProcessManager>;
