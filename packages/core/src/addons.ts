import { generateAppName } from './app-name.js';
import { invalidParams } from './errors.js';

/**
 * Add-on rules with no I/O: names, the config var an attachment sets, backup schedules and
 * which backups a retention rule keeps. Shapes over the wire follow Heroku's Platform API.
 */
export const ADDON_SERVICE_NAMES = ['postgresql', 'redis'] as const;
export type AddonServiceId = (typeof ADDON_SERVICE_NAMES)[number];

export function parseAddonService(value: string): AddonServiceId {
  // Heroku's own names are accepted too: `heroku-postgresql`, `heroku-redis`, with a plan after `:`.
  const service = value.replace(/^heroku-/, '').split(':')[0];
  const found = ADDON_SERVICE_NAMES.find((name) => name === service || (name === 'postgresql' && service === 'postgres'));
  if (!found) throw invalidParams(`Unknown add-on service ${JSON.stringify(value.slice(0, 60))}: use postgresql or redis.`);
  return found;
}

/** `postgresql-calm-river-12345`, as Heroku names add-ons. */
export function generateAddonName(service: AddonServiceId): string {
  return `${service}-${generateAppName()}`;
}

const ADDON_NAME = /^[a-z][a-z0-9-]{1,60}[a-z0-9]$/;

export function assertAddonName(name: string): string {
  if (!ADDON_NAME.test(name)) throw invalidParams(`Invalid add-on name ${JSON.stringify(name.slice(0, 80))}: use 3–62 lower-case letters, digits and dashes, starting with a letter.`);
  return name;
}

/** The attachment's name when none is given: `DATABASE` (→ DATABASE_URL) or `REDIS` (→ REDIS_URL). */
export function defaultAttachmentName(service: AddonServiceId): string {
  return service === 'postgresql' ? 'DATABASE' : 'REDIS';
}

const ATTACHMENT_NAME = /^[A-Z][A-Z0-9_]{0,59}$/;

/** `--as NAME` is upper-cased as Heroku does; `NAME_URL` given as NAME is taken as NAME. */
export function parseAttachmentName(value: string): string {
  const name = value.trim().toUpperCase().replace(/_URL$/, '');
  if (!ATTACHMENT_NAME.test(name) || name.startsWith('PAAS_')) {
    throw invalidParams(`Invalid attachment name ${JSON.stringify(value.slice(0, 80))}: use letters, digits and underscores, starting with a letter (not PAAS_), e.g. --as ANALYTICS_DB.`);
  }
  return name;
}

export function attachmentConfigVar(name: string): string {
  return `${name}_URL`;
}

/** `02:00 UTC`, `2:00`, `02:00 UTC` → 2: daily backups run at a whole UTC hour. */
export function parseBackupHour(value: string): number {
  const match = /^\s*(\d{1,2})(?::00)?\s*(UTC)?\s*$/i.exec(value);
  const hour = match ? Number(match[1]) : NaN;
  if (!(hour >= 0 && hour <= 23)) throw invalidParams(`Invalid backup time ${JSON.stringify(value.slice(0, 40))}: give a whole UTC hour, e.g. --at '02:00 UTC'.`);
  return hour;
}

/** True when a daily backup at `hour` is due: the hour has come today and none was taken since. */
export function backupDue(hour: number, now: Date, lastScheduledAt: Date | undefined): boolean {
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  if (now < slot) return false;
  return lastScheduledAt === undefined || lastScheduledAt < slot;
}

/** Which scheduled backups to delete: all but the newest `keep` completed ones (manual backups are the user's to delete). */
export function backupsToExpire<T extends { readonly number: number; readonly scheduled: boolean; readonly status: string }>(backups: readonly T[], keep: number): T[] {
  const scheduled = backups.filter((b) => b.scheduled && b.status === 'completed').sort((a, b) => b.number - a.number);
  return scheduled.slice(keep);
}

/** `b001`, as Heroku names backups. */
export function backupName(number: number): string {
  return `b${String(number).padStart(3, '0')}`;
}
