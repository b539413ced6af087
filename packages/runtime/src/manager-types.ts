import type { ProcessSize } from '@paas/core';

import type { DesiredState } from './desired-state.js';
import type { RuntimeDriver } from './driver.js';
import type { DriverLogger } from './drivers/shared/driver-logger.js';
import type { BackoffPolicy } from './restart-backoff.js';

/** The process manager's vocabulary: what it reports to paasd and what it is given. */
export type AppState = 'running' | 'booting' | 'crashed' | 'no-web';

/** A web process the router may send traffic to. */
export interface Backend {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** One line for an app's log stream: `app[web.1]` output or `paas[...]` platform events. */
export interface AppLogLine {
  readonly app: string;
  readonly source: 'app' | 'paas';
  readonly process: string;
  readonly line: string;
}

export interface ProcessStatus {
  readonly name: string;
  readonly type: string;
  readonly state: 'up' | 'starting' | 'crashed' | 'down';
  readonly release: number;
  readonly command: string;
  readonly startedAt: string;
  /** For a crashed process waiting for its backoff. */
  readonly nextRestartAt?: string;
  /** The machine it runs on, when the runtime spans several (Swarm). */
  readonly node?: string;
}

/** How one one-off differs from the app's processes: variables of its own and a size. */
export interface OneOffOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly size?: ProcessSize;
}

export interface ProcessManagerOptions {
  readonly driver: RuntimeDriver;
  readonly desired: DesiredState;
  readonly onRoutes: (app: string, backends: readonly Backend[], state: AppState) => void;
  readonly onLog: (line: AppLogLine) => void;
  readonly onError?: (error: unknown, context: { app?: string }) => void;
  readonly bootTimeoutMs?: number;
  readonly graceMs?: number;
  readonly intervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly probe?: (address: { host: string; port: number }) => Promise<boolean>;
  /** The clock deadlines and backoff read (milliseconds, like Date.now). */
  readonly now?: () => number;
  /**
   * Resolves once no request is under way to a web process that left the route table,
   * so SIGTERM never cuts a request off (the router knows what is in flight).
   */
  readonly drain?: (processId: string) => Promise<void>;
  /** What happened to a process, as data (for metrics and the twelve-factor scorecard). Called synchronously. */
  readonly onProcessEvent?: (event: ProcessEvent) => void;
  /** Operators' debug lines: each stage of a rollout with its timing (see bench/README.md §2). */
  readonly logger?: Pick<DriverLogger, 'debug'>;
}

/** A process's lifecycle, as the manager saw it. */
export type ProcessEvent = { readonly app: string; readonly release: number; readonly name: string; readonly type: string } & (
  | { readonly kind: 'started' }
  /** A web process accepted connections on `$PORT` this long after it was started. */
  | { readonly kind: 'up'; readonly bootMs: number }
  /** R10: it did not bind `$PORT` within the boot timeout. */
  | { readonly kind: 'boot-timeout'; readonly bootTimeoutMs: number }
  /** It exited without being asked to. */
  | { readonly kind: 'crashed'; readonly code: number | null; readonly signal: string | null; readonly oom: boolean }
  /** It was stopped; `killed`: it outlived the grace after SIGTERM (R12). */
  | { readonly kind: 'stopped'; readonly stopMs: number; readonly killed: boolean }
  /** A one-off (`paas run`) of the release ended. */
  | { readonly kind: 'one-off'; readonly exitCode: number | null }
);

export interface DeployResult {
  readonly ok: boolean;
  /** Why it failed, for the user. */
  readonly message?: string;
  /** paas stopped before the deploy ended: the release stays pending, to be settled at the next start. */
  readonly interrupted?: boolean;
}
