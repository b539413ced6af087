import type { AddonResource } from '@paas/core';
import type { PaasClient } from '@paas/client';

import { usageError } from './cli-error.js';

/**
 * Which add-on a command means, as heroku/cli reads it: an add-on's name or id, or the
 * name of one of the app's attachments (`DATABASE`, `DATABASE_URL`); with none, the app's
 * only add-on of the service (or the one attached as DATABASE / REDIS).
 */
export function pickAddon(addons: readonly AddonResource[], ref: string | undefined, service: string | undefined, app: string): AddonResource {
  const candidates = service === undefined ? addons : addons.filter((addon) => addon.addon_service.name === service);
  if (ref !== undefined) {
    const attachment = ref.toUpperCase().replace(/_URL$/, '');
    const found = addons.find((addon) => addon.name === ref || addon.id === ref) ?? addons.find((addon) => addon.config_vars.includes(`${attachment}_URL`));
    if (!found) throw usageError(`${app} has no add-on or attachment named ${ref}: see paas addons -a ${app}.`);
    return found;
  }
  const main = candidates.find((addon) => addon.config_vars.includes(service === 'redis' ? 'REDIS_URL' : 'DATABASE_URL'));
  if (main) return main;
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  if (candidates.length === 0) throw usageError(`${app} has no ${service ?? ''} add-on: create one with paas addons:create ${service ?? 'postgresql'} -a ${app}.`.replace('  ', ' '));
  throw usageError(`${app} has several ${service ?? ''} add-ons (${candidates.map((a) => a.name).join(', ')}): name one.`.replace('  ', ' '));
}

export async function resolveAddon(client: PaasClient, app: string, ref: string | undefined, service?: string): Promise<AddonResource> {
  return pickAddon(await client.listAddons(app), ref, service, app);
}
