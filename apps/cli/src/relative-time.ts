const UNITS: readonly (readonly [limit: number, seconds: number, name: string])[] = [
  [60, 1, 's'],
  [3600, 60, 'm'],
  [86_400, 3600, 'h'],
  [86_400 * 30, 86_400, 'd'],
];

/** `5s ago`, `3m ago`, `2h ago`, `4d ago`; older than 30 days (or in the future): the ISO date. */
export function formatRelativeTime(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  const seconds = Math.floor((now.getTime() - then.getTime()) / 1000);
  if (seconds < 0) return formatIsoTime(iso);
  if (seconds === 0) return 'just now';
  const unit = UNITS.find(([limit]) => seconds < limit);
  if (!unit) return formatIsoTime(iso).slice(0, 10);
  return `${String(Math.floor(seconds / unit[1]))}${unit[2]} ago`;
}

/** `in 20s`, `in 3m` for a moment ahead; `now` once it has come. */
export function formatTimeUntil(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  const seconds = Math.ceil((then.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return 'now';
  const unit = UNITS.find(([limit]) => seconds < limit);
  if (!unit) return `on ${formatIsoTime(iso)}`;
  return `in ${String(Math.floor(seconds / unit[1]))}${unit[2]}`;
}

/** `2024-05-01 12:00:00Z`: ISO to the second, readable. */
export function formatIsoTime(iso: string): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  return `${then.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `2024-05-01 12:00:00Z (3m ago)` for info blocks. */
export function formatTimeWithAge(iso: string, now: Date = new Date()): string {
  const age = formatRelativeTime(iso, now);
  const exact = formatIsoTime(iso);
  return age === exact || exact.startsWith(age) ? exact : `${exact} (${age})`;
}
