import type { EventRecord } from '@paas/store';

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/**
 * What an audit event says in the app's log stream, as Heroku's `heroku[api]` lines do:
 * `Set GREETING config vars by alice`. Undefined for events users need not see there.
 * Keys and names only: config values never reach a log.
 */
export function describeApiEvent(event: Pick<EventRecord, 'action' | 'actor' | 'data'>): string | undefined {
  const by = `by ${event.actor}`;
  const { data } = event;
  switch (event.action) {
    case 'app.create':
      return `Initial release ${by}`;
    case 'release.create':
      return `Release v${String(data.version)} created ${by}${typeof data.description === 'string' ? `: ${data.description}` : ''}`;
    case 'config.update': {
      const set = list(data.set);
      const unset = list(data.unset);
      return [set.length > 0 ? `Set ${set.join(', ')}` : '', unset.length > 0 ? `Unset ${unset.join(', ')}` : ''].filter(Boolean).join('; ') + ` config vars ${by}`;
    }
    case 'formation.update': {
      const updates = Array.isArray(data.updates) ? (data.updates as { type: string; quantity: number; size: string }[]) : [];
      return `Scaled to ${updates.map((u) => `${u.type}@${String(u.quantity)}:${u.size}`).join(' ')} ${by}`;
    }
    case 'dynos.restart':
      return `Restarted all processes ${by}`;
    case 'dyno.restart':
      return `Restarted ${String(data.dyno)} ${by}`;
    case 'dyno.stop':
      return `Stopped ${String(data.dyno)} ${by}`;
    case 'run':
    case 'run.detached':
      return `Starting a one-off process ${typeof data.dyno === 'string' ? `${data.dyno} ` : ''}${by}`;
    case 'maintenance.on':
      return `Maintenance mode on ${by}`;
    case 'maintenance.off':
      return `Maintenance mode off ${by}`;
    case 'domain.add':
      return `Added domain ${String(data.hostname)} ${by}`;
    case 'domain.remove':
      return `Removed domain ${String(data.hostname)} ${by}`;
    case 'drain.add':
      return `Added log drain ${String(data.drain)} ${by}`;
    case 'drain.remove':
      return `Removed log drain ${String(data.drain)} ${by}`;
    case 'buildpacks.set':
      return `Set buildpacks to ${list(data.buildpacks).join(', ') || 'automatic detection'} ${by}`;
    case 'addon.create':
      return `Created add-on ${String(data.addon)} ${by}`;
    case 'addon.destroy':
      return `Destroyed add-on ${String(data.addon)} ${by}`;
    case 'addon.attach':
      return `Attached ${String(data.addon)} as ${String(data.attachment)} ${by}`;
    case 'addon.detach':
      return `Detached ${String(data.addon)} (${String(data.attachment)}) ${by}`;
    case 'addon.credentials.rotate':
      return `Rotated the credentials of ${String(data.addon)} (${String(data.attachment)}) ${by}`;
    case 'addon.backups.restore':
      return `Restored ${String(data.from)}'s ${String(data.backup)} into ${String(data.addon)} ${by}`;
    case 'certificate.add':
      return `Added a certificate for ${list(data.hostnames).join(', ')} ${by}`;
    case 'certificate.remove':
      return `Removed the certificate for ${list(data.hostnames).join(', ')} ${by}`;
    case 'acm.enable':
      return `Enabled automatic certificate management ${by}`;
    case 'acm.disable':
      return `Disabled automatic certificate management ${by}`;
    case 'redirect_https.on':
      return `HTTP requests redirected to HTTPS ${by}`;
    case 'redirect_https.off':
      return `HTTP requests no longer redirected to HTTPS ${by}`;
    case 'build_cache.purge':
      return `Purged the build cache ${by}`;
    default:
      return undefined;
  }
}
