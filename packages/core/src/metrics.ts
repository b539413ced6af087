/**
 * Per-app, per-minute metrics as plain data, and the pure rules that fill and read them.
 * Response times go into a sparse histogram of log-spaced buckets (each 10% wider than the
 * last), so a minute's size is bounded however many requests it saw and a percentile read
 * back is within 10% of the true value.
 */

/** Each bucket's upper bound is this factor times the previous one's. */
const BUCKET_GROWTH = 1.1;
/** Bucket 0 holds 0–1 ms; the last bucket holds everything slower than about 5 minutes. */
const MAX_BUCKET = 132;

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** One process's samples within a minute. */
export interface ProcessMinute {
  readonly samples: number;
  /** Sum over samples, so minutes merge by addition. */
  readonly memoryMbSum: number;
  readonly memoryMbMax: number;
  readonly cpuPercentSum: number;
  /** The memory its size allows (R14 beyond it), when known. */
  readonly quotaMb?: number;
}

export interface MinuteMetrics {
  /** Start of the minute, epoch milliseconds. */
  readonly minute: number;
  readonly requests: number;
  readonly statuses: Readonly<Partial<Record<StatusClass, number>>>;
  /** Heroku router error codes (H12, H13, …) by count. */
  readonly errors: Readonly<Record<string, number>>;
  /** Response time histogram: bucket index → count. */
  readonly latency: Readonly<Record<string, number>>;
  readonly processes: Readonly<Record<string, ProcessMinute>>;
  /** Process starts other than the first of a deploy: crash restarts and user restarts. */
  readonly restarts: number;
  /** Exits nobody asked for, and boot timeouts (R10). */
  readonly crashes: number;
  /** Samples over the memory quota, and processes killed for memory. */
  readonly r14: number;
  /** Stops that ran past the grace period (R12). */
  readonly r12: number;
}

export interface RequestObservation {
  readonly status: number;
  /** connect + service time; absent when no process answered. */
  readonly responseMs?: number;
  readonly errorCode?: string;
}

export interface ProcessSample {
  readonly name: string;
  readonly memoryMb: number;
  readonly cpuPercent: number;
  readonly quotaMb?: number;
}

export type ProcessOccurrence = 'restart' | 'crash' | 'r14' | 'r12';

export function minuteOf(timeMs: number): number {
  return Math.floor(timeMs / 60_000) * 60_000;
}

export function emptyMinute(minute: number): MinuteMetrics {
  return { minute, requests: 0, statuses: {}, errors: {}, latency: {}, processes: {}, restarts: 0, crashes: 0, r14: 0, r12: 0 };
}

export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log(ms) / Math.log(BUCKET_GROWTH) - 1e-9));
}

/** The bucket's upper bound in ms: what a percentile falling in it reports. */
export function bucketUpperMs(bucket: number): number {
  return bucket <= 0 ? 1 : BUCKET_GROWTH ** bucket;
}

export function recordRequest(m: MinuteMetrics, request: RequestObservation): MinuteMetrics {
  const tally = emptyTally();
  countRequest(tally, request.status, request.responseMs, request.errorCode);
  return addTally(m, tally);
}

/** Status classes by the hundreds digit (index 1 is `1xx`). */
const STATUS_CLASSES: readonly (StatusClass | undefined)[] = [undefined, '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * Requests counted as they come, for one app and minute. The router reports every request:
 * a new minute record per request (copying its histogram) cost more than the routing did,
 * so requests are counted here in place and folded into the minute when it is read or written.
 * Counts sit in arrays indexed by number rather than in objects keyed by strings: the router's
 * hot path then builds no key and does no dictionary lookup.
 */
export interface RequestTally {
  requests: number;
  /** Index 1–5: requests answered 1xx–5xx. */
  readonly statuses: number[];
  readonly errors: Map<string, number>;
  /** Latency bucket index → count. */
  readonly latency: number[];
}

export function emptyTally(): RequestTally {
  return { requests: 0, statuses: [0, 0, 0, 0, 0, 0], errors: new Map(), latency: new Array<number>(MAX_BUCKET + 1).fill(0) };
}

/**
 * Counts one request into `tally` (in place: the only rule here that mutates, for the router's
 * hot path). `responseMs` is absent when no process answered.
 */
export function countRequest(tally: RequestTally, status: number, responseMs: number | undefined, errorCode: string | undefined): void {
  tally.requests += 1;
  const hundred = Math.floor(status / 100);
  if (hundred >= 1 && hundred <= 5) tally.statuses[hundred] = (tally.statuses[hundred] ?? 0) + 1;
  if (errorCode !== undefined) tally.errors.set(errorCode, (tally.errors.get(errorCode) ?? 0) + 1);
  if (responseMs !== undefined) {
    const bucket = latencyBucket(responseMs);
    tally.latency[bucket] = (tally.latency[bucket] ?? 0) + 1;
  }
}

/** The minute with the tally's requests added. */
export function addTally(m: MinuteMetrics, tally: Readonly<RequestTally>): MinuteMetrics {
  if (tally.requests === 0) return m;
  const statuses: Partial<Record<StatusClass, number>> = {};
  tally.statuses.forEach((n, hundred) => {
    const cls = STATUS_CLASSES[hundred];
    if (cls !== undefined && n > 0) statuses[cls] = n;
  });
  const latency: Record<string, number> = {};
  tally.latency.forEach((n, bucket) => {
    if (n > 0) latency[bucket] = n;
  });
  return {
    ...m,
    requests: m.requests + tally.requests,
    statuses: sumMaps(m.statuses, statuses),
    errors: sumMaps(m.errors, Object.fromEntries(tally.errors)),
    latency: sumMaps(m.latency, latency),
  };
}

export function recordSample(m: MinuteMetrics, sample: ProcessSample): MinuteMetrics {
  const before = m.processes[sample.name];
  const over = sample.quotaMb !== undefined && sample.memoryMb > sample.quotaMb;
  const next: ProcessMinute = {
    samples: (before?.samples ?? 0) + 1,
    memoryMbSum: (before?.memoryMbSum ?? 0) + sample.memoryMb,
    memoryMbMax: Math.max(before?.memoryMbMax ?? 0, sample.memoryMb),
    cpuPercentSum: (before?.cpuPercentSum ?? 0) + sample.cpuPercent,
    ...(sample.quotaMb === undefined ? {} : { quotaMb: sample.quotaMb }),
  };
  return { ...m, processes: { ...m.processes, [sample.name]: next }, r14: m.r14 + (over ? 1 : 0) };
}

export function recordOccurrence(m: MinuteMetrics, what: ProcessOccurrence): MinuteMetrics {
  const field = what === 'restart' ? 'restarts' : what === 'crash' ? 'crashes' : what;
  return { ...m, [field]: m[field] + 1 };
}

function sumMaps(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) out[key] = (out[key] ?? 0) + n;
  return out;
}

export function mergeMinutes(minute: number, parts: readonly MinuteMetrics[]): MinuteMetrics {
  return parts.reduce<MinuteMetrics>((acc, m) => {
    const processes: Record<string, ProcessMinute> = { ...acc.processes };
    for (const [name, p] of Object.entries(m.processes)) {
      const q = processes[name];
      processes[name] = q === undefined ? p : {
        samples: q.samples + p.samples,
        memoryMbSum: q.memoryMbSum + p.memoryMbSum,
        memoryMbMax: Math.max(q.memoryMbMax, p.memoryMbMax),
        cpuPercentSum: q.cpuPercentSum + p.cpuPercentSum,
        ...(p.quotaMb ?? q.quotaMb) === undefined ? {} : { quotaMb: (p.quotaMb ?? q.quotaMb) as number },
      };
    }
    return {
      minute,
      requests: acc.requests + m.requests,
      statuses: sumMaps(acc.statuses, m.statuses),
      errors: sumMaps(acc.errors, m.errors),
      latency: sumMaps(acc.latency, m.latency),
      processes,
      restarts: acc.restarts + m.restarts,
      crashes: acc.crashes + m.crashes,
      r14: acc.r14 + m.r14,
      r12: acc.r12 + m.r12,
    };
  }, emptyMinute(minute));
}

/** The q-quantile (0 < q ≤ 1) of a histogram in ms, or null when it is empty. */
export function percentileMs(latency: Readonly<Record<string, number>>, q: number): number | null {
  const buckets = Object.entries(latency).map(([k, n]) => [Number(k), n] as const).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return Math.round(bucketUpperMs(bucket) * 10) / 10;
  }
  return null;
}

export interface MetricsPoint {
  /** Start of the step, ISO time. */
  readonly time: string;
  readonly requests: number;
  readonly statuses: Readonly<Partial<Record<StatusClass, number>>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** Per process: mean memory (MB) and CPU (% of one core) over the step's samples. */
  readonly memoryMb: Readonly<Record<string, number>>;
  readonly memoryMaxMb: Readonly<Record<string, number>>;
  readonly cpuPercent: Readonly<Record<string, number>>;
  readonly restarts: number;
  readonly crashes: number;
  readonly r14: number;
  readonly r12: number;
}

/** Steps of `stepMs` from `sinceMs` up to `untilMs`, every step present (zeros where nothing was seen). */
export function metricsSeries(minutes: readonly MinuteMetrics[], sinceMs: number, untilMs: number, stepMs: number): MetricsPoint[] {
  const step = Math.max(60_000, minuteOf(stepMs));
  const start = minuteOf(sinceMs);
  const points: MetricsPoint[] = [];
  for (let at = start; at <= untilMs; at += step) {
    const merged = mergeMinutes(at, minutes.filter((m) => m.minute >= at && m.minute < at + step));
    const round = (x: number): number => Math.round(x * 10) / 10;
    const per = (f: (p: ProcessMinute) => number): Record<string, number> =>
      Object.fromEntries(Object.entries(merged.processes).map(([name, p]) => [name, round(f(p))]));
    points.push({
      time: new Date(at).toISOString(),
      requests: merged.requests,
      statuses: merged.statuses,
      errors: merged.errors,
      p50Ms: percentileMs(merged.latency, 0.5),
      p95Ms: percentileMs(merged.latency, 0.95),
      p99Ms: percentileMs(merged.latency, 0.99),
      memoryMb: per((p) => p.memoryMbSum / Math.max(1, p.samples)),
      memoryMaxMb: per((p) => p.memoryMbMax),
      cpuPercent: per((p) => p.cpuPercentSum / Math.max(1, p.samples)),
      restarts: merged.restarts,
      crashes: merged.crashes,
      r14: merged.r14,
      r12: merged.r12,
    });
  }
  return points;
}

/** How long minutes are kept. */
export const METRICS_RETENTION_MS = 24 * 60 * 60_000;
