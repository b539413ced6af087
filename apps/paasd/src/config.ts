import { isAbsolute, resolve } from 'node:path';

import { DEFAULT_MEMORY_MB, MIN_MEMORY_MB } from './addons/providers/docker/server-memory.js';

/** The platform's own configuration, read once from the environment (Factor III). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly routerPort: number;
  /** TLS port where `heroku run` attaches to one-offs (Heroku's rendezvous). */
  readonly rendezvousPort: number;
  /** The router's HTTPS port. */
  readonly routerTlsPort: number;
  /** HTTPS for the API, git and the dashboard (the platform certificate); undefined: off. */
  readonly apiTlsPort: number | undefined;
  /** Where plain HTTP listens: HOST, or loopback only when HTTPS is on (unless PAAS_API_HTTP_HOST says otherwise). */
  readonly apiHttpHost: string;
  /** Which data plane applies the route table: the builtin Node router, or nginx run by paasd. */
  readonly routerPlane: 'builtin' | 'nginx';
  /** The builtin router in a worker thread of its own (PAAS_ROUTER_THREAD, default 1), or in the main thread (0). */
  readonly routerThread: boolean;
  /** The platform domain's certificate and key (PEM files); unset: a self-signed one in the data dir. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** The ACME directory automatic certificates are ordered from. */
  readonly acmeDirectory: string;
  /** The contact for the ACME account (expiry notices from the CA). */
  readonly acmeEmail: string | undefined;
  /** Extra CA certificates (PEM file) to trust when talking to the ACME directory (a private or test CA). */
  readonly acmeCaFile: string | undefined;
  readonly domain: string;
  readonly dataDir: string;
  readonly apiToken: string | undefined;
  /** The first admin: PAAS_API_TOKEN and the token printed on the first start are theirs. */
  readonly adminEmail: string;
  readonly runtime: 'auto' | 'local' | 'docker' | 'swarm';
  readonly dockerHost: string | undefined;
  /** Several Swarm nodes (docs/swarm.md): where slugs are pulled from, how processes are reached, each node's engine. */
  readonly swarm: SwarmConfig;
  readonly stackImage: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A web process must bind $PORT within this long (Heroku: 60 s, R10). */
  readonly bootTimeoutMs: number;
  /** SIGTERM, then SIGKILL after this long (Heroku: 30 s, R12). */
  readonly stopGraceMs: number;
  /** The disk collector keeps the slugs of each app's newest this-many releases. */
  readonly keepReleases: number;
  /** How often the disk collector runs after the one at start; 0: only at start. */
  readonly gcIntervalMs: number;
  /** How often processes' memory, CPU and app-dir writes are sampled for metrics. */
  readonly metricsSampleMs: number;
  /** A build is stopped after this long (Heroku: 15 min). */
  readonly buildTimeoutMs: number;
  /** Drains and buildpack git URLs may also reach loopback and private addresses. */
  readonly allowPrivateTargets: boolean;
  /** The memory limit (MiB) of each add-on container made from now on (Docker runtime). */
  readonly addonMemoryMb: { readonly postgresql: number; readonly redis: number };
  /** Where the local provider finds PostgreSQL majors, Debian's layout: `<root>/<major>/bin/postgres`. */
  readonly addonPostgresqlRoot: string;
}

export interface SwarmConfig {
  /** `host:port` every node pulls slug images from (a registry paasd runs on a manager); unset: one node. */
  readonly registry: string | undefined;
  /** Which address the router gets: the task's on the node's gateway bridge, on the overlay, or the node's own with a published port. */
  readonly reach: 'gateway' | 'overlay' | 'node';
  /** Each node's engine (by hostname or node id): `unix://…` or `tcp://host:port`. */
  readonly nodeEngines: Readonly<Record<string, string>>;
}

/** Let's Encrypt's production directory. */
export const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

const ROUTER_PLANES = ['builtin', 'nginx'] as const;
const RUNTIMES = ['auto', 'local', 'docker', 'swarm'] as const;
const SWARM_REACH = ['gateway', 'overlay', 'node'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee docs/config.md.`);
    this.name = 'ConfigError';
  }
}

/** `unix:///var/run/docker.sock` or `tcp://host:2375`: the forms dockerode is given (docker-engine.ts). */
function isDockerHost(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'unix:') return url.pathname.startsWith('/') && url.host === '';
    return url.protocol === 'tcp:' && url.hostname !== '' && (url.pathname === '' || url.pathname === '/');
  } catch {
    return false; // not a URL at all: reported as such
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads every variable, reports every bad one at once, and returns a frozen config. */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const port = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed > 65535) {
      problems.push(`${name}=${JSON.stringify(value)} is not a port number (0-65535; 0 picks a free port).`);
      return fallback;
    }
    return parsed;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}=${JSON.stringify(value)} must be one of ${allowed.join(', ')}.`);
    return fallback;
  };

  const seconds = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback * 1000;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0 || Number(value) > 3600) {
      problems.push(`${name}=${JSON.stringify(value)} must be a number of seconds, above 0 and at most 3600.`);
      return fallback * 1000;
    }
    return Math.round(Number(value) * 1000);
  };
  const integer = (name: string, fallback: number, min: number, max: number, unit: string): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name}=${JSON.stringify(value)} must be a whole number of ${unit}, from ${String(min)} to ${String(max)}.`);
      return fallback;
    }
    return Number(value);
  };
  const duration = (name: string, fallbackMs: number, maxMs: number): number => {
    const value = text(name);
    if (value === undefined) return fallbackMs;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match?.[2] ?? 's'] ?? 1000;
    const ms = match ? Math.round(Number(match[1]) * unit) : NaN;
    if (!(ms > 0 && ms <= maxMs)) {
      problems.push(`${name}=${JSON.stringify(value)} must be a duration above 0 and at most ${String(maxMs / 3_600_000)} h: seconds (900) or with a unit (90s, 15m, 1h).`);
      return fallbackMs;
    }
    return ms;
  };
  const flag = (name: string, fallback = false): boolean => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (value === '0' || value === 'false') return false;
    if (value === '1' || value === 'true') return true;
    problems.push(`${name}=${JSON.stringify(value)} must be 1 or 0.`);
    return fallback;
  };
  const domain = (text('PAAS_DOMAIN') ?? 'localhost').toLowerCase();
  if (!HOSTNAME.test(domain)) problems.push(`PAAS_DOMAIN=${JSON.stringify(domain)} is not a domain name (e.g. apps.example.com).`);
  const apiToken = text('PAAS_API_TOKEN');
  if (apiToken !== undefined && apiToken.length < 16) {
    problems.push('PAAS_API_TOKEN is shorter than 16 characters: use a long random secret (e.g. `openssl rand -hex 32`).');
  }
  const adminEmail = text('PAAS_ADMIN_EMAIL') ?? `admin@${domain}`;
  // Only a value given is checked: the default follows PAAS_DOMAIN, reported on its own.
  if (text('PAAS_ADMIN_EMAIL') !== undefined && (!/^[^\s@:]+@[^\s@:]+$/.test(adminEmail) || adminEmail.length > 254)) problems.push(`PAAS_ADMIN_EMAIL=${JSON.stringify(adminEmail)} is not an email address.`);
  const dataDir = text('PAAS_DATA_DIR') ?? '.paas-data';
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
  const certFile = text('PAAS_TLS_CERT_FILE');
  const keyFile = text('PAAS_TLS_KEY_FILE');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push('PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE go together: set both (a PEM certificate chain and its key) or neither (a self-signed certificate is made).');
  }
  const acmeDirectory = text('PAAS_ACME_DIRECTORY') ?? LETS_ENCRYPT;
  if (!/^https?:\/\/[^\s/]+/.test(acmeDirectory) || !URL.canParse(acmeDirectory)) {
    problems.push(`PAAS_ACME_DIRECTORY=${JSON.stringify(acmeDirectory)} is not an http(s) URL (e.g. ${LETS_ENCRYPT}).`);
  }
  const acmeEmail = text('PAAS_ACME_EMAIL');
  if (acmeEmail !== undefined && !/^[^\s@:]+@[^\s@:]+$/.test(acmeEmail)) problems.push(`PAAS_ACME_EMAIL=${JSON.stringify(acmeEmail)} is not an email address.`);
  const acmeCaFile = text('PAAS_ACME_CA_FILE');
  const dockerHost = text('DOCKER_HOST');
  if (dockerHost !== undefined && !isDockerHost(dockerHost)) {
    problems.push(`DOCKER_HOST=${JSON.stringify(dockerHost)} is not an engine address paasd can use: unix:///path/to/docker.sock or tcp://host:port (plain, no TLS).`);
  }

  const swarmRegistry = text('PAAS_SWARM_REGISTRY');
  if (swarmRegistry !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(swarmRegistry)) {
    problems.push(`PAAS_SWARM_REGISTRY=${JSON.stringify(swarmRegistry)} is not host:port (the manager's swarm address and a free port, e.g. 10.0.0.1:5000).`);
  }
  const nodeEngines: Record<string, string> = {};
  for (const pair of (text('PAAS_SWARM_NODE_ENGINES') ?? '').split(',').filter((part) => part.trim() !== '')) {
    const [node, engine] = pair.trim().split(/=(.*)/s) as [string, string | undefined];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(node) || engine === undefined || !isDockerHost(engine)) {
      problems.push(`PAAS_SWARM_NODE_ENGINES has ${JSON.stringify(pair)}: write NODE=ENGINE pairs separated by commas, NODE a node's hostname or id, ENGINE unix:///path or tcp://host:port.`);
    } else nodeEngines[node] = engine;
  }

  const host = text('HOST') ?? '0.0.0.0';
  const apiTlsPort = text('PAAS_API_TLS_PORT') === undefined ? undefined : port('PAAS_API_TLS_PORT', 0);
  const config: Config = {
    port: port('PORT', 5100),
    host,
    apiTlsPort,
    // With HTTPS on, tokens cross the network only encrypted: plain HTTP stays on this machine.
    apiHttpHost: text('PAAS_API_HTTP_HOST') ?? (apiTlsPort === undefined ? host : '127.0.0.1'),
    routerPort: port('PAAS_ROUTER_PORT', 8080),
    rendezvousPort: port('PAAS_RENDEZVOUS_PORT', 5101),
    routerTlsPort: port('PAAS_ROUTER_TLS_PORT', 8443),
    routerPlane: oneOf('PAAS_ROUTER', ROUTER_PLANES, 'builtin'),
    routerThread: flag('PAAS_ROUTER_THREAD', true),
    tls: certFile !== undefined && keyFile !== undefined ? { certFile: absolute(certFile), keyFile: absolute(keyFile) } : undefined,
    acmeDirectory,
    acmeEmail,
    acmeCaFile: acmeCaFile === undefined ? undefined : absolute(acmeCaFile),
    domain,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    apiToken,
    adminEmail,
    runtime: oneOf('PAAS_RUNTIME', RUNTIMES, 'auto'),
    dockerHost,
    swarm: { registry: swarmRegistry, reach: oneOf('PAAS_SWARM_REACH', SWARM_REACH, swarmRegistry === undefined ? 'gateway' : 'node'), nodeEngines },
    stackImage: text('PAAS_STACK_IMAGE'),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    bootTimeoutMs: seconds('PAAS_BOOT_TIMEOUT', 60),
    stopGraceMs: seconds('PAAS_STOP_GRACE', 30),
    keepReleases: integer('PAAS_KEEP_RELEASES', 20, 1, 100_000, 'releases'),
    gcIntervalMs: integer('PAAS_GC_INTERVAL', 3600, 0, 7 * 24 * 3600, 'seconds') * 1000,
    metricsSampleMs: integer('PAAS_METRICS_SAMPLE_INTERVAL', 10, 1, 3600, 'seconds') * 1000,
    buildTimeoutMs: duration('PAAS_BUILD_TIMEOUT', 15 * 60_000, 24 * 3_600_000),
    allowPrivateTargets: flag('PAAS_ALLOW_PRIVATE_TARGETS'),
    addonMemoryMb: {
      postgresql: integer('PAAS_ADDON_POSTGRESQL_MEMORY', DEFAULT_MEMORY_MB.postgresql, MIN_MEMORY_MB, 1_048_576, 'MB'),
      redis: integer('PAAS_ADDON_REDIS_MEMORY', DEFAULT_MEMORY_MB.redis, MIN_MEMORY_MB, 1_048_576, 'MB'),
    },
    addonPostgresqlRoot: absolute(text('PAAS_ADDON_POSTGRESQL_ROOT') ?? '/usr/lib/postgresql'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
