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
