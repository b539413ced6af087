import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AddonProvider, AddonServiceName, BackupCapability } from '../../provider.js';
import { createProvisionOperations } from '../provision-operations.js';
import { pickAppUid } from '../../../app-users.js';
import type { Logger } from '../../../logger.js';
import type { LocalEngine } from './engine.js';
import type { InstanceRecord } from './instance-record.js';
import { instancePaths, readInstance, writeInstance } from './instance-record.js';
import { createPostgresBackups } from './postgres-backups.js';
import { createPostgresEngine } from './postgres-engine.js';
import { DEFAULT_POSTGRES_ROOT, installedMajors, missingMajorReason, postgresBinaries } from './postgres-majors.js';
import { upgradeMajor } from './postgres-upgrade.js';
import { createRedisEngine } from './redis-engine.js';
import type { ServerSupervisor } from './server-supervisor.js';
import { createServerSupervisor } from './server-supervisor.js';

/** Add-on servers' uids (one each) and the group they share, which may pass through the data dir. */
export const ADDON_UID_BASE = 300_000;
export const ADDON_UID_COUNT = 99_999;
export const ADDON_GID = 399_999;
const INSTANCE_ID = /^[0-9a-f-]{8,64}$/;
const READY_TIMEOUT_MS = 60_000;

export interface LocalProviderOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** A server died and is being restarted. */
  readonly onServerExit?: (instanceId: string, detail: { code: number | null; signal: string | null; restartInMs: number | undefined; reason?: string }) => void;
  /** Where PostgreSQL majors are, Debian's layout (`<root>/<major>/bin`); default `/usr/lib/postgresql`. */
  readonly postgresRoot?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * Debian's postgresql and redis-server on this host, one server per add-on, each on its
 * own loopback port, as its own unprivileged user, with its data under
 * `<data dir>/addons/<id>`. paasd supervises them (restarts with backoff) and they outlive
 * it: the next paasd adopts them.
 */
export function createLocalProvider(options: LocalProviderOptions): AddonProvider {
  const root = join(options.dataDir, 'addons');
  const asRoot = process.getuid?.() === 0;
  const postgresRoot = options.postgresRoot ?? DEFAULT_POSTGRES_ROOT;
  const postgres = createPostgresEngine(postgresRoot);
  // Existing postgresql add-ons keep their engine even when no major is installed now: they are then reported, not started.
  const engines: Record<AddonServiceName, LocalEngine> = { redis: createRedisEngine(), postgresql: postgres };
  /** New postgresql add-ons can be made only where some major is installed. */
  const creatable = (service: AddonServiceName): boolean => service !== 'postgresql' || installedMajors(postgresRoot).length > 0;
  /** Add-ons whose servers were not started, and why (their major's binaries are missing). */
  const notStarted = new Map<string, string>();
  const logger = options.logger;
  const operations = createProvisionOperations(logger);
  const supervisors = new Map<string, ServerSupervisor>();

  const dirOf = (id: string): string => {
    if (!INSTANCE_ID.test(id)) throw new Error(`not an add-on instance id: ${id.slice(0, 80)}`);
    return join(root, id);
  };
  const engineOf = (record: InstanceRecord): LocalEngine => engines[record.service];
  const requireInstance = (id: string): InstanceRecord => {
    const record = readInstance(dirOf(id));
    if (!record?.provisioned) throw new Error(`add-on ${id} is not provisioned`);
    return record;
  };

  /** The data dir and `addons/` are passable by the add-on servers' group only (apps are not in it). */
  const layOut = (): void => {
    mkdirSync(root, { recursive: true, mode: 0o710 });
    if (!asRoot) return chmodSync(root, 0o700);
    chownSync(root, 0, ADDON_GID);
    chmodSync(root, 0o710);
    const dataDir = statSync(options.dataDir);
    chownSync(options.dataDir, dataDir.uid, ADDON_GID);
    chmodSync(options.dataDir, (dataDir.mode & 0o777) | 0o010);
  };

  const ownDirs = (record: InstanceRecord): void => {
    const paths = instancePaths(record.dir);
    for (const dir of [paths.data, paths.run]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      if (record.uid !== undefined) chownSync(dir, record.uid, record.gid ?? record.uid);
    }
    mkdirSync(paths.backups, { recursive: true, mode: 0o700 });
  };

  const supervise = async (record: InstanceRecord): Promise<void> => {
    if (supervisors.has(record.id)) return;
    const engine = engineOf(record);
    if (record.service === 'postgresql') postgres.binaries(record); // refuses, saying what to install, when the major is missing
    const paths = instancePaths(record.dir);
    const { command, args, stopSignal, env } = engine.command(record);
    const supervisor = createServerSupervisor(
      { command, args, stopSignal, uid: record.uid, gid: record.gid, env: { LANG: 'C.UTF-8', PATH: '/usr/bin:/bin', ...env }, cwd: paths.data, logFile: paths.log, pidFile: paths.pid },
      {
        onExit: (detail) => {
          logger.warn({ addon: record.id, ...detail }, 'add-on server exited; restarting');
          options.onServerExit?.(record.id, detail);
          // The next start must see the current users (redis keeps them in its config file).
          void engine.beforeStart?.(readInstance(record.dir) ?? record).catch((error: unknown) => logger.error({ err: error, addon: record.id }, 'add-on config not rewritten'));
        },
      },
    );
    supervisors.set(record.id, supervisor);
    await engine.beforeStart?.(record);
    await supervisor.start();
  };

  /**
   * Before a start: a postgresql add-on made before majors were recorded gets its data dir's
   * (`PG_VERSION`) recorded; one whose major is not installed is not started (and nothing is
   * written to its data), the reason saying what to install.
   */
  const prepareStart = (record: InstanceRecord): string | undefined => {
    if (record.service !== 'postgresql') return undefined;
    const major = postgres.majorOf(record);
    if (major === undefined) return `no PostgreSQL is installed under ${postgresRoot} (apt-get install postgresql)`;
    if (record.postgresMajor === undefined) writeInstance({ ...record, postgresMajor: major });
    return postgresBinaries(postgresRoot, major) ? undefined : missingMajorReason(major, postgresRoot);
  };

  const waitReady = async (record: InstanceRecord, timeoutMs = READY_TIMEOUT_MS): Promise<void> => {
    const engine = engineOf(record);
    const deadline = Date.now() + timeoutMs;
    while (!(await engine.ready(record))) {
      if (Date.now() > deadline) throw new Error(`the ${record.service} server did not become ready in ${String(timeoutMs / 1000)} s`);
      await sleep(100);
    }
  };

  const provisionNow = async (id: string, service: AddonServiceName): Promise<void> => {
    const dir = dirOf(id);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
    let record = readInstance(dir);
    if (!record) {
      const taken = new Set(readdirSync(root).map((name) => readInstance(join(root, name))?.uid).filter((uid) => uid !== undefined));
      record = {
        id,
        service,
        dir,
        port: await freePort(),
        ...(asRoot ? { uid: pickAppUid(id, taken, ADDON_UID_BASE, ADDON_UID_COUNT), gid: ADDON_GID } : {}),
        adminPassword: hex(32),
        // The newest installed major, fixed from now on: every start uses its binaries.
        ...(service === 'postgresql' ? { postgresMajor: installedMajors(postgresRoot).at(-1) ?? 0 } : {}),
        database: `d${hex(8)}`,
        bindings: {},
        provisioned: false,
      };
      writeInstance(record);
    }
    ownDirs(record);
    const engine = engineOf(record);
    await engine.initialize(record);
    await supervise(record);
    await waitReady(record);
    await engine.setUp(record);
    writeInstance({ ...record, provisioned: true });
  };

  const backups: BackupCapability = createPostgresBackups({ binaries: (record) => postgres.binaries(record), instance: requireInstance, psql: (record, sql, database) => postgres.psql(record, sql, database) });

  return {
    name: 'local',
    get services() {
      return (Object.keys(engines) as AddonServiceName[]).filter(creatable);
    },
    provision(id, service) {
      const known = operations.get(id);
      if (known) return known;
      if (readInstance(dirOf(id))?.provisioned) return { state: 'succeeded', description: 'provisioned' };
      if (!creatable(service)) return { state: 'failed', description: `${service} is not installed on this host (apt-get install ${service === 'redis' ? 'redis-server' : 'postgresql'})` };
      return operations.start(id, `starting ${service}`, () => provisionNow(id, service));
    },
    lastOperation(id) {
      const known = operations.get(id);
      if (known) return known;
      return readInstance(dirOf(id))?.provisioned ? { state: 'succeeded', description: 'provisioned' } : { state: 'failed', description: 'no such instance' };
    },
    async bind(id, bindingId) {
      let record = requireInstance(id);
      const credentials = record.bindings[bindingId] ?? { user: `u${hex(8)}`, password: hex(32) };
      record = { ...record, bindings: { ...record.bindings, [bindingId]: credentials } };
      writeInstance(record);
      await waitReady(record);
      return { url: await engineOf(record).bind(record, credentials) };
    },
    async unbind(id, bindingId) {
      const record = readInstance(dirOf(id));
      const credentials = record?.bindings[bindingId];
      if (!record || !credentials) return;
      const { [bindingId]: _removed, ...rest } = record.bindings;
      const next = { ...record, bindings: rest };
      writeInstance(next);
      await waitReady(next);
      await engineOf(next).unbind(next, credentials);
    },
    async deprovision(id) {
      const dir = dirOf(id);
      const record = readInstance(dir);
      operations.forget(id);
      const supervisor = supervisors.get(id);
      supervisors.delete(id);
      if (supervisor) await supervisor.stop();
      else if (record) {
        const { command, stopSignal } = engineOf(record).command(record);
        const paths = instancePaths(dir);
        await createServerSupervisor({ command, args: [], stopSignal, env: {}, cwd: dir, logFile: paths.log, pidFile: paths.pid }, { onExit: () => undefined }).stop();
      }
      rmSync(dir, { recursive: true, force: true });
    },
    // Host processes share the host's memory: the local provider sets no limit.
    limits: () => ({ memoryMb: null }),
    async info(id) {
      const record = requireInstance(id);
      return engineOf(record).info(record);
    },
    backups,
    notStarted: (id) => notStarted.get(id),
    majorVersion(id) {
      const record = readInstance(dirOf(id));
      return record?.service === 'postgresql' ? postgres.majorOf(record) : undefined;
    },
    majorUpgrade: {
      upgrade: (id, major, snapshot) =>
        upgradeMajor(
          {
            postgres,
            root: postgresRoot,
            stopServer: async (record) => {
              const supervisor = supervisors.get(record.id);
              supervisors.delete(record.id);
              await supervisor?.stop();
            },
            startServer: async (record) => {
              await supervise(record);
              await waitReady(record);
            },
          },
          requireInstance(id),
          major,
          snapshot,
        ),
    },
    async start() {
      layOut();
      for (const name of readdirSync(root)) {
        const record = INSTANCE_ID.test(name) && existsSync(join(root, name, 'instance.json')) ? readInstance(join(root, name)) : undefined;
        if (!record?.provisioned || record.provider !== undefined) continue;
        const reason = prepareStart(record);
        if (reason !== undefined) {
          notStarted.set(record.id, reason);
          logger.error({ addon: record.id, reason }, 'add-on server not started');
          continue;
        }
        notStarted.delete(record.id);
        ownDirs(record);
        await supervise(record).catch((error: unknown) => logger.error({ err: error, addon: record.id }, 'add-on server not started'));
      }
    },
    async close() {
      for (const supervisor of supervisors.values()) supervisor.release();
      supervisors.clear();
    },
    async stopAll() {
      await Promise.all([...supervisors.values()].map((supervisor) => supervisor.stop()));
      supervisors.clear();
      // Servers a previous paasd started (npm stop -- --all runs without one).
      for (const name of existsSync(root) ? readdirSync(root) : []) {
        const record = INSTANCE_ID.test(name) ? readInstance(join(root, name)) : undefined;
        if (!record || record.provider !== undefined) continue;
        const { command, stopSignal } = engineOf(record).command(record);
        const paths = instancePaths(record.dir);
        await createServerSupervisor({ command, args: [], stopSignal, env: {}, cwd: record.dir, logFile: paths.log, pidFile: paths.pid }, { onExit: () => undefined }).stop();
      }
    },
  };
}
