import type Docker from 'dockerode';

/** The port every container's process listens on (`$PORT`); each container has its own address. */
export const CONTAINER_PORT = 5000;
export const MANAGED_LABEL = 'paas.managed';
export const ONEOFF_LABEL = 'paas.oneoff';
export const INSTANCE_LABEL = 'paas.instance';

export function environment(env: Readonly<Record<string, string>>): string[] {
  return Object.entries({ ...env, PORT: String(CONTAINER_PORT) }).map(([key, value]) => `${key}=${value}`);
}

/** A process's or one-off's container: memory without swap, a pids limit, no restarts (the process manager decides). */
export function containerHostConfig(memoryMb: number, network: string, pidsLimit: number): Docker.HostConfig {
  return {
    Memory: Math.round(memoryMb * 1024 * 1024),
    MemorySwap: Math.round(memoryMb * 1024 * 1024), // equal to Memory: no swap
    PidsLimit: pidsLimit,
    Init: true, // docker-init as PID 1: forwards signals, reaps orphans
    RestartPolicy: { Name: 'no' }, // the process manager decides about restarts
    NetworkMode: network,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
  };
}
