import type Docker from 'dockerode';

import type { DriverLogger } from '../shared/driver-logger.js';
import { INSTANCE_LABEL, ONEOFF_LABEL } from './docker-container-config.js';

/**
 * The names of the one-off containers this paasd is running now (`paas run`, `--detach`, the
 * release phase). A name is added before its container is made and taken out after it is
 * removed, so a one-off container of the installation that is not in the set belongs to no
 * live session: a paasd that died (kill -9, power) while it ran, or a removal that failed.
 */
export type OneOffsInFlight = Set<string>;

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/**
 * Removes the installation's one-off containers on this engine that no live session owns, running
 * or not. A detached one-off does not outlive the paasd that started it: its output reaches the
 * app's log only through that paasd's attach, and its time limit and exit are that paasd's to
 * report, so after a crash nobody would read or end it. Returns how many were removed.
 */
export async function sweepOneOffs(docker: Docker, options: { instance: string; inFlight: ReadonlySet<string>; logger: DriverLogger; node?: string }): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${ONEOFF_LABEL}=true`, `${INSTANCE_LABEL}=${options.instance}`] } });
  let removed = 0;
  for (const summary of found) {
    const name = (summary.Names[0] ?? '').replace(/^\//, '');
    if (options.inFlight.has(name)) continue;
    const gone = await docker
      .getContainer(summary.Id)
      .remove({ force: true, v: true })
      .then(
        () => true,
        (error: unknown) => {
          // 404: removed meanwhile; 409: already being removed. Anything else is tried again by the next sweep.
          if (statusOf(error) === 404 || statusOf(error) === 409) return false;
          throw error;
        },
      );
    if (!gone) continue;
    removed += 1;
    options.logger.info({ id: summary.Id, name, app: summary.Labels['paas.app'], state: summary.State, ...(options.node ? { node: options.node } : {}) }, 'leftover one-off removed');
  }
  return removed;
}
