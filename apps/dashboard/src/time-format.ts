/** Times as people read them on the dashboard. Pure: `now` is passed in. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function relativeTime(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const delta = now - then;
  if (delta < 0) return delta > -10 * SECOND ? 'just now' : `in ${formatDuration(-delta, 1)}`;
  if (delta < 10 * SECOND) return 'just now';
  if (delta < 30 * DAY) return `${formatDuration(delta, 1)} ago`;
  return iso.slice(0, 10);
}

/** "850 ms", "12 s", "3 min 4 s", "1 h 2 min", "2 days 3 h"; `parts` keeps the largest units only. */
export function formatDuration(ms: number, parts = 2): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < SECOND) return `${String(Math.round(ms))} ms`;
  const units: [number, string, string][] = [
    [DAY, ' day', ' days'],
    [HOUR, ' h', ' h'],
    [MINUTE, ' min', ' min'],
    [SECOND, ' s', ' s'],
  ];
  const first = units.findIndex(([size]) => ms >= size);
  const out: string[] = [];
  let rest = ms;
  for (const [size, one, many] of units.slice(first, first + parts)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) out.push(`${String(count)}${count === 1 ? one : many}`);
  }
  return out.join(' ');
}

/** The span between two ISO times, or since `start` when `end` is null (still running). */
export function durationBetween(start: string, end: string | null, now: number): string {
  const from = Date.parse(start);
  const to = end === null ? now : Date.parse(end);
  return Number.isNaN(from) || Number.isNaN(to) ? '' : formatDuration(to - from);
}
