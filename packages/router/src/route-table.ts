/**
 * The route table: which app a Host header names, which web processes serve it, and
 * what to answer when none can. Pure data and pure functions; the proxy (`router.ts`)
 * holds one table at a time and swaps it whole on `update()`, so a deploy moves from
 * the old backends to the new ones in one step.
 */

/** Why an app may have no backend to send a request to. */
export type AppState = 'running' | 'crashed' | 'no-web' | 'booting';

/** One web process that is up and listening on its `$PORT`. */
export interface Backend {
  /** The driver's process id; unique across the table. */
  readonly id: string;
  /** `web.1`, shown as `dyno=` in access lines. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface AppRoute {
  readonly name: string;
  /** Custom domains (`www.example.com`), besides `<name>.<platform domain>`. */
  readonly domains: readonly string[];
  readonly maintenance: boolean;
  /**
   * The app's state as the process manager sees it. It only matters when `backends`
   * is empty: then it says which error to answer (or, for `booting`, to wait).
   */
  readonly state: AppState;
  /** The web processes to balance over: only those that are up. */
  readonly backends: readonly Backend[];
  /** Plain HTTP requests are redirected to HTTPS (ACME challenges excepted). */
  readonly redirectHttps?: boolean;
}

/** A certificate and its key, PEM; `chain` holds the leaf first, then intermediates. */
export interface TlsCertificate {
  readonly chain: string;
  readonly key: string;
}

/** An ACME HTTP-01 challenge the router answers at `/.well-known/acme-challenge/<token>`. */
export interface AcmeChallenge {
  /** The host name being validated (normalised): the answer is given for it only. */
  readonly host: string;
  readonly keyAuthorization: string;
}

/** What the edge knows besides apps: certificates by host name and challenges under way. */
export interface EdgeState {
  /** Host name (normalised, or `*.parent` for a wildcard) → its certificate. */
  readonly certificates: ReadonlyMap<string, TlsCertificate>;
  /** Token → challenge. */
  readonly challenges: ReadonlyMap<string, AcmeChallenge>;
}

export interface RouteTable extends EdgeState {
  readonly apps: ReadonlyMap<string, AppRoute>;
  /** Custom domain (normalised) → app. */
  readonly domains: ReadonlyMap<string, AppRoute>;
}

const NO_EDGE: EdgeState = Object.freeze({ certificates: new Map(), challenges: new Map() });

/** What the router does with a request for an app, decided before any I/O. */
export type RouteDecision =
  | { readonly kind: 'proxy' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'error'; readonly code: 'H10' | 'H14' | 'H80' };

const PROXY: RouteDecision = Object.freeze({ kind: 'proxy' });
const WAIT: RouteDecision = Object.freeze({ kind: 'wait' });
const MAINTENANCE: RouteDecision = Object.freeze({ kind: 'error', code: 'H80' });
const CRASHED: RouteDecision = Object.freeze({ kind: 'error', code: 'H10' });
const NO_WEB: RouteDecision = Object.freeze({ kind: 'error', code: 'H14' });

/**
 * Builds an immutable table. A custom domain claimed by two apps goes to the first;
 * the API should refuse the second claim, and the router must not fail for all apps
 * because of one bad entry.
 */
export function createRouteTable(apps: Iterable<AppRoute> = [], edge: Partial<EdgeState> = NO_EDGE): RouteTable {
  const byName = new Map<string, AppRoute>();
  const byDomain = new Map<string, AppRoute>();
  for (const app of apps) {
    const frozen = freezeApp(app);
    byName.set(frozen.name, frozen);
    for (const domain of frozen.domains) {
      const key = normalizeHost(domain);
      if (key !== undefined && !byDomain.has(key)) byDomain.set(key, frozen);
    }
  }
  const certificates = new Map<string, TlsCertificate>();
  for (const [host, certificate] of edge.certificates ?? []) certificates.set(host.toLowerCase(), Object.freeze({ ...certificate }));
  const challenges = new Map<string, AcmeChallenge>();
  for (const [token, challenge] of edge.challenges ?? []) challenges.set(token, Object.freeze({ ...challenge }));
  return Object.freeze({ apps: byName, domains: byDomain, certificates, challenges });
}

/** A new table with `app` added or replaced. */
export function withApp(table: RouteTable, app: AppRoute): RouteTable {
  const apps = new Map(table.apps);
  apps.set(app.name, app);
  return createRouteTable(apps.values(), table);
}

/** A new table without the app named `name`. */
export function withoutApp(table: RouteTable, name: string): RouteTable {
  const apps = new Map(table.apps);
  apps.delete(name);
  return createRouteTable(apps.values(), table);
}

/** A new table with the same apps and other certificates or challenges. */
export function withEdge(table: RouteTable, edge: Partial<EdgeState>): RouteTable {
  return createRouteTable(table.apps.values(), { certificates: edge.certificates ?? table.certificates, challenges: edge.challenges ?? table.challenges });
}

function freezeApp(app: AppRoute): AppRoute {
  return Object.freeze({
    name: app.name,
    domains: Object.freeze([...app.domains]),
    maintenance: app.maintenance,
    state: app.state,
    backends: Object.freeze(app.backends.map((backend) => Object.freeze({ ...backend }))),
    redirectHttps: app.redirectHttps === true,
  });
}

/**
 * Lower-cases a Host header and strips an optional `:port` and a trailing dot.
 * Returns undefined for values that cannot be a host name (empty, IPv6 literals).
 */
export function normalizeHost(hostHeader: string): string | undefined {
  let host = hostHeader.trim().toLowerCase();
  if (host.length === 0 || host.startsWith('[')) return undefined;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    const port = host.slice(colon + 1);
    if (!/^\d{0,5}$/.test(port)) return undefined;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.length === 0 ? undefined : host;
}

/**
 * The app a Host header names: `<app>.<platformDomain>` first (so a custom domain can
 * never take over another app's platform host name), then a custom domain.
 */
export function resolveHost(table: RouteTable, hostHeader: string, platformDomain: string): AppRoute | undefined {
  const host = normalizeHost(hostHeader);
  if (host === undefined) return undefined;
  return lookupHost(table, host, normalizeHost(platformDomain) ?? platformDomain);
}

/** `resolveHost` for a host and domain already normalised (the router's hot path). */
export function lookupHost(table: RouteTable, host: string, domain: string): AppRoute | undefined {
  const cut = host.length - domain.length - 1;
  if (cut > 0 && host.charCodeAt(cut) === 46 /* . */ && host.endsWith(domain)) {
    const name = host.slice(0, cut);
    const app = name.includes('.') ? undefined : table.apps.get(name);
    if (app !== undefined) return app;
  }
  return table.domains.get(host);
}

/** Maintenance first, then any backend that is up, else the state says why not. */
export function decideRoute(app: AppRoute): RouteDecision {
  if (app.maintenance) return MAINTENANCE;
  if (app.backends.length > 0) return PROXY;
  switch (app.state) {
    case 'booting':
      return WAIT;
    case 'crashed':
      return CRASHED;
    case 'running':
    case 'no-web':
      return NO_WEB;
  }
}

/**
 * Round robin: the backend at `turn`, or the next one after it not marked failing.
 * When every backend is marked failing, plain round robin, so a backend that came
 * back is found again rather than the app going dark on stale marks.
 */
export function pickBackend(
  backends: readonly Backend[],
  turn: number,
  failing?: { readonly size: number; has(id: string): boolean },
): Backend | undefined {
  const count = backends.length;
  if (count === 0) return undefined;
  const start = turn % count;
  if (failing === undefined || failing.size === 0) return backends[start];
  for (let step = 0; step < count; step += 1) {
    const backend = backends[(start + step) % count];
    if (backend !== undefined && !failing.has(backend.id)) return backend;
  }
  return backends[start];
}

/**
 * The certificate for a TLS server name: an exact entry, else a wildcard one level up
 * (`*.example.com` covers `www.example.com`, not `a.b.example.com`), else undefined
 * (the caller's default: the platform certificate).
 */
export function certificateFor(table: EdgeState, serverName: string): TlsCertificate | undefined {
  const host = normalizeHost(serverName);
  if (host === undefined) return undefined;
  const exact = table.certificates.get(host);
  if (exact !== undefined) return exact;
  const dot = host.indexOf('.');
  return dot > 0 ? table.certificates.get(`*${host.slice(dot)}`) : undefined;
}

/** The path prefix of ACME HTTP-01 challenges (RFC 8555 §8.3). */
export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** The key authorization to answer for a challenge request, if the table holds one for this host and token. */
export function challengeAnswer(table: EdgeState, host: string, path: string): string | undefined {
  if (!path.startsWith(ACME_CHALLENGE_PREFIX)) return undefined;
  const token = path.slice(ACME_CHALLENGE_PREFIX.length);
  const challenge = table.challenges.get(token);
  return challenge !== undefined && challenge.host === host ? challenge.keyAuthorization : undefined;
}
