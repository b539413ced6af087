import type { Readable, Writable } from 'node:stream';

/**
 * Where processes run. The process manager decides what should run; a driver only
 * starts, stops, lists and watches processes, and reports what it sees. Every driver
 * (`drivers/local/`, `drivers/docker/`, `drivers/swarm/`, with what they share in
 * `drivers/shared/`) passes the same contract suite (`test/driver-contract.ts`).
 */

/** A built slug: a gzip tar of the app dir, stored content-addressed on this host. */
export interface SlugRef {
  /** sha256 of the slug file, hex. */
  readonly checksum: string;
  /** Host path of the `.tgz`. */
  readonly path: string;
  /**
   * The runtime layer the slug runs on (node, npm…: a gzip tar of the same shape, stored
   * once and shared by every slug built with the same runtime), laid under the slug; absent
   * (and in slugs made before layers): the slug holds everything.
   */
  readonly runtimeLayer?: { readonly checksum: string; readonly path: string };
}

export interface ProcessSpec {
  readonly app: string;
  /** Release version this process belongs to. */
  readonly release: number;
  /** Process type (`web`, `worker`…) and 1-based index: the process is `web.1`. */
  readonly type: string;
  readonly index: number;
  readonly slug: SlugRef;
  /** The Procfile command, run as `bash -c` in the app dir after `.profile.d/*.sh` are sourced. */
  readonly command: string;
  /**
   * Config vars and platform vars (DYNO, PAAS_RELEASE_VERSION, SOURCE_VERSION…). The
   * driver adds `PORT` (it knows which port is free), `HOME` (the app dir) and `PATH`.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Memory limit in MiB (no swap). */
  readonly memoryMb: number;
}

export type ProcessState = 'starting' | 'up' | 'crashed' | 'down';

/** A process as the driver sees it: read back from the engine, so it survives a paasd restart. */
export type { ProcessUsage } from './drivers/local/process-usage.js';
import type { ProcessUsage } from './drivers/local/process-usage.js';

export interface ProcessInfo {
  /** The driver's id (container id, or the local driver's own). */
  readonly id: string;
  readonly app: string;
  readonly release: number;
  readonly type: string;
  readonly index: number;
  /** `web.1` */
  readonly name: string;
  /** `running` while the OS process / container is alive, else `exited`. */
  readonly status: 'running' | 'exited';
  /** Where it listens for `$PORT` traffic, reachable from paasd. */
  readonly address: { readonly host: string; readonly port: number };
  readonly startedAt: string;
  readonly exitCode?: number;
  /** The machine it runs on, for drivers that span several (Swarm: the node's hostname). */
  readonly node?: string;
  /** The node's id, where hostnames may repeat. */
  readonly nodeId?: string;
}

export type DriverEvent =
  /** One line of a process's stdout or stderr (split at newlines; over 10,000 bytes split). */
  | { readonly type: 'output'; readonly id: string; readonly name: string; readonly app: string; readonly stream: 'stdout' | 'stderr'; readonly line: string }
  /** A process ended, by itself or by a stop. `oom`: the memory limit killed it. */
  | { readonly type: 'exit'; readonly id: string; readonly name: string; readonly app: string; readonly code: number | null; readonly signal: string | null; readonly oom: boolean };

export interface StopResult {
  /** True when the grace period ran out and the process had to be killed (R12). */
  readonly killed: boolean;
}

export interface OneOffSpec extends Omit<ProcessSpec, 'type' | 'index'> {
  /** `run.1234` */
  readonly name: string;
}

export interface OneOffIo {
  readonly stdin?: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborting stops the one-off (SIGTERM, then SIGKILL). */
  readonly signal?: AbortSignal;
}

export interface RuntimeDriver {
  readonly name: 'local' | 'docker' | 'swarm';
  /** Makes what `start` needs for a slug (unpacked dir, image); idempotent, reused by rollbacks. */
  prepare(slug: SlugRef): Promise<void>;
  /**
   * Optional: takes `dir`, the directory a slug of this checksum was just packed from, as
   * what `prepare` would have made, moving it. False when the driver has no use for it or
   * cannot take it (the caller then removes it).
   */
  seedUnpacked?(checksum: string, dir: string): Promise<boolean>;
  /**
   * Optional: likewise for a runtime layer: `dir` holds the files of the layer file with this
   * checksum, unpacked by the builder from the bytes it packed (owned by paasd, not by an app).
   */
  seedUnpackedLayer?(checksum: string, dir: string): Promise<boolean>;
  start(spec: ProcessSpec): Promise<ProcessInfo>;
  /** SIGTERM to the process (and its children), SIGKILL after `graceMs`; removes it. */
  stop(id: string, options: { graceMs: number }): Promise<StopResult>;
  /** Every process this driver runs for the platform, from the engine's own records. */
  list(): Promise<ProcessInfo[]>;
  /** Optional: memory, CPU time and app-dir writes of a running process; undefined once it is gone. */
  usage?(id: string): Promise<ProcessUsage | undefined>;
  /** A one-off process, attached: resolves with its exit code when it ends. */
  run(spec: OneOffSpec, io: OneOffIo): Promise<{ exitCode: number | null }>;
  /**
   * Optional: the disk collector removed these slug images (`paas/slug:<tag>`) from paasd's
   * engine; the driver removes the copies it made elsewhere (Swarm: the registry's manifests
   * and blobs, the images nodes pulled). Never throws for a copy it could not remove.
   */
  removeSlugCopies?(images: readonly string[]): Promise<void>;
  /** Subscribes to output and exits; returns the unsubscribe function. */
  subscribe(listener: (event: DriverEvent) => void): () => void;
  /** Stops watching (processes keep running: a restarted paasd adopts them). */
  close(): Promise<void>;
}
