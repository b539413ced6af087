/**
 * What the platform needs of a backing-service provider, shaped like the Open Service
 * Broker API: an instance is provisioned and deprovisioned, a binding is a set of
 * credentials (here one URL) made and removed for it. Every call is idempotent by id;
 * provisioning is long work, started by `provision` and polled with `lastOperation`.
 */
export type AddonServiceName = 'postgresql' | 'redis';

export const ADDON_SERVICES: readonly AddonServiceName[] = ['postgresql', 'redis'];

export type OperationState = 'in progress' | 'succeeded' | 'failed';

export interface Operation {
  readonly state: OperationState;
  /** What is happening or what went wrong; never a credential. */
  readonly description: string;
}

export interface Binding {
  /** `postgres://…` or `redis://…`: what the attached app gets as its `*_URL`. */
  readonly url: string;
}

/** Dumps and restores, for providers of databases that have them (postgresql). */
export interface BackupCapability {
  /** Writes a dump of the instance's database to `file`. */
  capture(instanceId: string, file: string): Promise<void>;
  /** Restores `file` into a scratch database and counts what came back; the scratch database is dropped after. */
  verify(instanceId: string, file: string): Promise<{ tables: number; rows: number }>;
  /** Replaces the instance's data with what `file` holds. */
  restore(instanceId: string, file: string): Promise<void>;
}

/** A verified snapshot taken for a major upgrade: its file and what it held. */
export interface UpgradeSnapshot {
  readonly file: string;
  readonly tables: number;
  readonly rows: number;
}

export interface MajorUpgradeCapability {
  /**
   * Moves the instance to `major`: `snapshot` is called first (nothing has changed if it
   * throws), then a new cluster is made, restored and checked, and swapped in on the same
   * port with the same credentials. On any failure the old server runs on, unchanged.
   * Resolves with the directory the old cluster is kept in.
   */
  upgrade(instanceId: string, major: number, snapshot: () => Promise<UpgradeSnapshot>): Promise<{ from: number; to: number; kept: string }>;
}

/** What an instance may use: its plan's size, fixed when it is made. */
export interface InstanceLimits {
  /** MiB of memory; null when the server is not limited (the local provider's, or one made before limits). */
  readonly memoryMb: number | null;
}

export interface AddonProvider {
  readonly name: string;
  readonly services: readonly AddonServiceName[];
  /** Starts provisioning; called again with the same id, it answers how that is going. */
  provision(instanceId: string, service: AddonServiceName): Operation;
  /** How the last provision of the instance is going (OSB's `last_operation`). */
  lastOperation(instanceId: string): Operation;
  /** Credentials for one binding; the same id gives the same credentials again. */
  bind(instanceId: string, bindingId: string): Promise<Binding>;
  /** Removes a binding's credentials and ends its connections; a missing one is fine. */
  unbind(instanceId: string, bindingId: string): Promise<void>;
  /** Stops the instance and removes its data; a missing one is fine. */
  deprovision(instanceId: string): Promise<void>;
  /** The instance's limits; before it is provisioned, those its plan will give it. */
  limits(instanceId: string, service: AddonServiceName): InstanceLimits;
  /** What the instance's server says about itself (`pg:info`, `redis:info`), credentials left out. */
  info(instanceId: string): Promise<Record<string, string>>;
  readonly backups?: BackupCapability;
  /** The PostgreSQL major an instance is fixed to; undefined for other services or before it is known. */
  majorVersion?(instanceId: string): number | undefined;
  /** Why a provisioned instance's server was not started (its major's binaries are missing), if so. */
  notStarted?(instanceId: string): string | undefined;
  /** Moving a postgresql instance to another major (dump and restore); absent where a provider cannot. */
  readonly majorUpgrade?: MajorUpgradeCapability;
  /** Finds the instances on disk and adopts or restarts their servers. */
  start(): Promise<void>;
  /** Stops supervising; servers keep running for the next paasd to adopt. */
  close(): Promise<void>;
  /** Stops every server, supervised or not (tests and `npm stop -- --all`); their data stays. */
  stopAll(): Promise<void>;
}
