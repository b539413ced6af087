import type Docker from 'dockerode';

/**
 * `paas-<installation>`: the user-defined Docker network app containers and add-on
 * containers share. Docker's default `bridge` has no name resolution; on a network of
 * one's own, a container's name is a host name every other container on it resolves.
 */
export const appNetworkName = (instance: string): string => `paas-${instance}`;

/** Makes the network unless it exists; labelled with the installation, never removed by paas. */
export async function ensureAppNetwork(docker: Docker, instance: string): Promise<string> {
  const name = appNetworkName(instance);
  const found = await docker.listNetworks({ filters: JSON.stringify({ name: [name] }) });
  if (found.some((network) => network.Name === name)) return name;
  try {
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { 'paas.instance': instance } });
  } catch (error) {
    // Made meanwhile by another start of the same installation (409): it is there, which is all that matters.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
  return name;
}
