import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { watchContainerEvents } from '@paas/runtime';
import type { ContainerEventWatch } from '@paas/runtime';

import type { AddonProvider, AddonServiceName } from '../../provider.js';
import { createProvisionOperations } from '../provision-operations.js';
import { ADDON_SERVICES } from '../../provider.js';
import type { Logger } from '../../../logger.js';
import type { InstanceRecord } from '../local/instance-record.js';
import { readInstance, writeInstance } from '../local/instance-record.js';
import { MAJOR_MISSING_EXIT, ensureAddonImage } from './addon-image.js';
import type { ContainerEngine } from './container-engine.js';
import { addonContainerName } from './container-engine.js';
import { createDockerPostgres } from './docker-postgres.js';
import { createDockerRedis } from './docker-redis.js';
import { DEFAULT_MEMORY_MB, serverMemorySettings } from './server-memory.js';

/** Labels on every add-on container and volume: they are an add-on's, of this installation, and kept. */
export const ADDON_LABEL = 'paas.addon';
export const KEEP_LABEL = 'paas.keep';
const INSTANCE_LABEL = 'paas.instance';
const INSTANCE_ID = /^[0-9a-f-]{8,64}$/;
const READY_TIMEOUT_MS = 90_000;
const SERVICE_PORTS: Record<AddonServiceName, number> = { postgresql: 5432, redis: 6379 };

export interface DockerProviderOptions {
  readonly docker: Docker;
  readonly dataDir: string;
  /** The installation's label value (as the runtime driver's). */
  readonly instance: string;
  /** The network app containers join; add-on containers join it too, so apps reach them by name. */
  readonly network: string;
  readonly stackImage: string;
  /** Each service's memory limit in MiB for add-ons made from now on (DEFAULT_MEMORY_MB when not given). */
  readonly memoryMb?: Readonly<Record<AddonServiceName, number>>;
  readonly logger: Logger;
  /** An add-on's server died on its own (not stopped by paas); the engine starts its container again. */
  readonly onServerExit?: (instanceId: string, detail: { code: number | null; signal: string | null; reason?: string }) => void;
  /** An add-on's container was removed by something else than paas; it has been made again over the same volume. */
  readonly onContainerRemade?: (instanceId: string) => void;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/**
 * One container per add-on, made from the add-on image (the stack image plus Debian's
 * postgresql and redis-server), its data in a named volume of its own, restarted by the
 * engine when it dies, on the network the apps' containers are on. Credentials and the
 * instance record stay under `<data dir>/addons/<id>`, as the local provider's do.
 */
export function createDockerProvider(options: DockerProviderOptions): AddonProvider {
  const { docker, logger } = options;
  const root = join(options.dataDir, 'addons');
  const postgres = createDockerPostgres(docker);
  const engines: Record<AddonServiceName, ContainerEngine> = { postgresql: postgres, redis: createDockerRedis(docker) };
  const operations = createProvisionOperations(logger);
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  let image: Promise<string> | undefined;
  let events: ContainerEventWatch | undefined;
  /** Add-ons paas itself is stopping or removing: their containers' exits are not news. */
  const stopping = new Set<string>();
  const labels = (id: string, service: AddonServiceName): Record<string, string> => ({ [ADDON_LABEL]: id, 'paas.addon.service': service, [KEEP_LABEL]: 'true', [INSTANCE_LABEL]: options.instance });

  const dirOf = (id: string): string => {
    if (!INSTANCE_ID.test(id)) throw new Error(`not an add-on instance id: ${id.slice(0, 80)}`);
    return join(root, id);
  };
  const ours = (record: InstanceRecord | undefined): record is InstanceRecord => record?.provider === 'docker';
  const requireInstance = (id: string): InstanceRecord => {
    const record = readInstance(dirOf(id));
    if (!ours(record) || !record.provisioned) throw new Error(`add-on ${id} is not provisioned`);
    return record;
  };
  const addonImage = (): Promise<string> => {
    image ??= ensureAddonImage({ docker, stackImage: options.stackImage, workDir: join(options.dataDir, 'tmp'), onLine: (line) => logger.debug({ line }, 'add-on image build') }).catch((error: unknown) => {
      image = undefined; // the next provision tries again
      throw error;
    });
    return image;
  };

  /** The add-on's container, made when missing (its volume is reused) and started when stopped. */
  const ensureRunning = async (record: InstanceRecord): Promise<void> => {
    const name = addonContainerName(record.id);
    const container = docker.getContainer(name);
    let running: boolean;
    try {
      running = (await container.inspect()).State.Running;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      const spec = engines[record.service].container(record);
      const memory = record.memoryMb === undefined ? {} : { Memory: record.memoryMb * 1024 * 1024, MemorySwap: record.memoryMb * 1024 * 1024 }; // equal: no swap
      await docker.createVolume({ Name: name, Labels: labels(record.id, record.service) });
      await docker.createContainer({
        name,
        Image: await addonImage(),
        Cmd: [...spec.cmd, ...(record.memoryMb === undefined ? [] : serverMemorySettings(record.service, record.memoryMb))],
        User: spec.user,
        Env: spec.env,
        StopSignal: spec.stopSignal,
        Labels: labels(record.id, record.service),
        HostConfig: {
          Mounts: [{ Type: 'volume', Source: name, Target: spec.mount }],
          RestartPolicy: { Name: 'unless-stopped' }, // the engine restarts a crashed server, and starts it again with dockerd
          NetworkMode: options.network,
          Init: true,
          ...memory,
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
        },
      }).catch((error: unknown) => {
        if (statusOf(error) !== 409) throw error; // 409: made meanwhile (a removal seen while paasd starts)
      });
      running = false;
    }
    if (!running) await container.start().catch((error: unknown) => {
      if (statusOf(error) !== 304) throw error; // 304: started meanwhile
    });
  };

  const waitReady = async (record: InstanceRecord): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await engines[record.service].ready(record))) {
      if (Date.now() > deadline) throw new Error(`the ${record.service} container did not become ready in ${String(READY_TIMEOUT_MS / 1000)} s`);
      await sleep(200);
    }
  };

  const provisionNow = async (id: string, service: AddonServiceName): Promise<void> => {
    const dir = dirOf(id);
    mkdirSync(join(dir, 'backups'), { recursive: true, mode: 0o700 });
    let record = readInstance(dir);
    if (!record) {
      record = { id, service, dir, port: SERVICE_PORTS[service], adminPassword: hex(32), database: `d${hex(8)}`, bindings: {}, provider: 'docker', memoryMb: memoryMb[service], provisioned: false };
      writeInstance(record);
    }
    await ensureRunning(record);
    await waitReady(record);
    await engines[record.service].setUp(record);
    // The major is fixed from now on: the image's entrypoint runs the volume's own, never a newer one.
    writeInstance({ ...record, ...(service === 'postgresql' ? { postgresMajor: await postgres.major(record) } : {}), provisioned: true });
  };

  /** Every provisioned add-on's container running (made again where missing), as at start. */
  const ensureAll = async (): Promise<void> => {
    for (const name of readdirSync(root)) {
      const record = INSTANCE_ID.test(name) && existsSync(join(root, name, 'instance.json')) ? readInstance(join(root, name)) : undefined;
      if (!ours(record) || !record.provisioned) continue;
      await ensureRunning(record).catch((error: unknown) => logger.error({ err: error, addon: record.id }, 'add-on container not started'));
    }
  };

  /**
   * A container removed by hand (`docker rm -f`, `docker container prune`) leaves its volume
   * unused, and `docker volume prune` removes unused volumes whatever their labels: so the
   * container is made again over the same volume at once, keeping that window a moment long.
   */
  const remakeRemoved = (id: string): void => {
    const record = INSTANCE_ID.test(id) ? readInstance(dirOf(id)) : undefined;
    if (!ours(record) || !record.provisioned || stopping.has(id)) return;
    ensureRunning(record).then(
      () => {
        logger.warn({ addon: id }, 'add-on container removed by hand; made again over its volume');
        options.onContainerRemade?.(id);
      },
      (error: unknown) => logger.error({ err: error, addon: id }, 'add-on container removed by hand and not made again'),
    );
  };

  /** The entrypoint's `paas:` line when it refused to start the server (the volume's major is not in the image). */
  const refusal = async (id: string): Promise<string | undefined> => {
    const logs = await docker.getContainer(addonContainerName(id)).logs({ stdout: true, stderr: true, tail: 5 }).catch(() => undefined);
    const text = logs === undefined ? '' : Buffer.from(logs).toString('utf8');
    return /paas: ([^\n]*)/.exec(text)?.[1];
  };

  /** A server's exit, unless its container is being removed (`docker rm -f` kills it first): that is the removal's news. */
  const reportExit = (id: string, code: number): void => {
    docker
      .getContainer(addonContainerName(id))
      .inspect()
      .then(
        (info) => info.State.Status !== 'removing',
        () => false, // already gone: removed
      )
      .then(async (exited) => {
        if (!exited || stopping.has(id)) return;
        const reason = code === MAJOR_MISSING_EXIT ? await refusal(id) : undefined;
        logger.warn({ addon: id, code, reason }, 'add-on container exited; the engine restarts it');
        options.onServerExit?.(id, { code: Number.isInteger(code) ? code : null, signal: code > 128 ? `signal ${String(code - 128)}` : null, ...(reason ? { reason } : {}) });
      })
      .catch((error: unknown) => logger.error({ err: error, addon: id }, 'add-on exit not reported'));
  };

  const ownContainers = async (): Promise<Docker.ContainerInfo[]> =>
    docker.listContainers({ all: true, filters: JSON.stringify({ label: [ADDON_LABEL, `${INSTANCE_LABEL}=${options.instance}`] }) });

  return {
    name: 'docker',
    services: ADDON_SERVICES,
    provision(id, service) {
      const known = operations.get(id);
      if (known) return known;
      if (ours(readInstance(dirOf(id))) && readInstance(dirOf(id))?.provisioned) return { state: 'succeeded', description: 'provisioned' };
      return operations.start(id, `starting ${service}`, () => provisionNow(id, service));
    },
    lastOperation(id) {
      const known = operations.get(id);
      if (known) return known;
      const record = readInstance(dirOf(id));
      return ours(record) && record.provisioned ? { state: 'succeeded', description: 'provisioned' } : { state: 'failed', description: 'no such instance' };
    },
    async bind(id, bindingId) {
      let record = requireInstance(id);
      const credentials = record.bindings[bindingId] ?? { user: `u${hex(8)}`, password: hex(32) };
      record = { ...record, bindings: { ...record.bindings, [bindingId]: credentials } };
      writeInstance(record);
      await waitReady(record);
      return { url: await engines[record.service].bind(record, credentials, addonContainerName(id)) };
    },
    async unbind(id, bindingId) {
      const record = readInstance(dirOf(id));
      const credentials = record?.bindings[bindingId];
      if (!ours(record) || !credentials) return;
      const { [bindingId]: _removed, ...rest } = record.bindings;
      const next = { ...record, bindings: rest };
      writeInstance(next);
      await waitReady(next);
      await engines[next.service].unbind(next, credentials);
    },
    async deprovision(id) {
      const dir = dirOf(id);
      operations.forget(id);
      const name = addonContainerName(id);
      stopping.add(id);
      await docker.getContainer(name).remove({ force: true }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      await docker.getVolume(name).remove().catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      rmSync(dir, { recursive: true, force: true });
    },
    limits(id, service) {
      const record = readInstance(dirOf(id));
      if (!ours(record)) return { memoryMb: memoryMb[service] };
      return { memoryMb: record.memoryMb ?? null };
    },
    async info(id) {
      const record = requireInstance(id);
      return engines[record.service].info(record);
    },
    backups: postgres.backups(requireInstance),
    majorVersion(id) {
      const record = readInstance(dirOf(id));
      return ours(record) ? record.postgresMajor : undefined;
    },
    async start() {
      mkdirSync(root, { recursive: true, mode: 0o700 });
      stopping.clear();
      events ??= watchContainerEvents(docker, {
        filters: { type: ['container'], event: ['die', 'destroy'], label: [ADDON_LABEL, `${INSTANCE_LABEL}=${options.instance}`] },
        onEvent: (event) => {
          const id = event.attributes[ADDON_LABEL];
          if (id === undefined || stopping.has(id)) return;
          if (event.action === 'destroy') return remakeRemoved(id);
          reportExit(id, Number(event.attributes.exitCode));
        },
        // A missed exit needs nothing (the engine restarts the container); a missed removal does.
        onReconnect: () => void ensureAll(),
        logger,
      });
      await events.ready;
      await ensureAll();
    },
    async close() {
      // The containers keep running: the engine restarts them, the next paasd adopts them.
      events?.close();
      events = undefined;
    },
    async stopAll() {
      await Promise.all(
        (await ownContainers()).map((info) => {
          const id = info.Labels[ADDON_LABEL];
          if (id !== undefined) stopping.add(id);
          return docker
            .getContainer(info.Id)
            .stop({ t: 15 })
            .catch((error: unknown) => {
              if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error; // already stopped, or gone
            });
        }),
      );
    },
  };
}
