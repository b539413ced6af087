import { readFileSync } from 'node:fs';

import type Docker from 'dockerode';

/**
 * `paas-<installation>`: the user-defined Docker network app containers and add-on
 * containers share. Docker's default `bridge` has no name resolution; on a network of
 * one's own, a container's name is a host name every other container on it resolves.
 * On Swarm it is an attachable overlay (`paas-<installation>-overlay`), which services and
 * plain containers (add-ons, one-offs) can both join; a different name, so an installation
 * moved from Docker to Swarm never finds its bridge where it needs the overlay.
 */
export const appNetworkName = (instance: string, runtime: string = 'docker'): string =>
  runtime === 'swarm' ? `paas-${instance}-overlay` : `paas-${instance}`;

/** Makes the network unless it exists; labelled with the installation, never removed by paas. */
export async function ensureAppNetwork(docker: Docker, instance: string, runtime: string = 'docker'): Promise<string> {
  const name = appNetworkName(instance, runtime);
  const found = await docker.listNetworks({ filters: JSON.stringify({ name: [name] }) });
  if (found.some((network) => network.Name === name)) return name;
  try {
    const driver = runtime === 'swarm' ? { Driver: 'overlay', Attachable: true } : { Driver: 'bridge' };
    await docker.createNetwork({ Name: name, ...driver, CheckDuplicate: true, Labels: { 'paas.instance': instance } });
  } catch (error) {
    // Made meanwhile by another start of the same installation (409): it is there, which is all that matters.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
  return name;
}

/**
 * The id of the container this process runs in, read from the bind mounts Docker gives
 * every container (`…/containers/<id>/hostname`); undefined on a host.
 */
function ownContainerId(): string | undefined {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  return /\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)\s/.exec(mounts)?.[1];
}

/**
 * When paasd itself runs in a container of this engine (docker-compose.yml), it joins the
 * apps' network: its router and readiness checks reach the app containers there, which a
 * container on another bridge cannot. Returns whether it joined (or already was on it).
 */
export async function joinAppNetwork(docker: Docker, network: string): Promise<boolean> {
  const id = ownContainerId();
  if (id === undefined) return false;
  const self = await docker.getContainer(id).inspect().catch(() => undefined);
  // A container of another engine (a CI machine that is itself a container): nothing to join.
  if (self === undefined) return false;
  if (Object.keys(self.NetworkSettings.Networks).includes(network)) return true;
  try {
    await docker.getNetwork(network).connect({ Container: id });
  } catch (error) {
    // Joined meanwhile (a second start racing this one): it is on the network, which is all that matters.
    if (!/already exists/i.test(String((error as { message?: unknown }).message))) throw error;
  }
  return true;
}
