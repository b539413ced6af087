/**
 * The nginx data plane's configuration, rendered from the route table: a pure function.
 * The shell (`nginx-plane.ts`) writes the certificate files and error pages it names,
 * checks the result with `nginx -t` and reloads. Every name that reaches the text is
 * checked against a strict pattern first, so nothing in the table can add a directive.
 */
import { decideRoute, type AppRoute, type RouteTable, type TlsCertificate } from '../../route-table.js';
import { ROUTER_ERRORS, errorPage, renderPage, type RouterErrorCode, type RouterPage } from '../../router-errors.js';
import { VIA } from '../../forwarded-headers.js';

export interface NginxRenderOptions {
  readonly domain: string;
  readonly host: string;
  readonly httpPort: number;
  readonly tlsPort: number;
  /** The HTTPS port clients use, for redirects (443 is left out of the URL). */
  readonly publicTlsPort: number;
  /** Where nginx keeps its pid, temp files and error log. */
  readonly runDir: string;
  /** The file (key and chain, PEM) written for a certificate. */
  readonly certificateFile: (certificate: TlsCertificate) => string;
  readonly platformCertificateFile: string;
  /** The file access lines are written to, buffered (paasd reads it in chunks). */
  readonly accessLogFile: string;
  /** How long a request waits for the app's first byte (H12), in seconds. */
  readonly firstByteTimeoutS?: number;
  /** Loopback port of the boot hold (`boot-hold.ts`): a booting app's requests wait there, not H20 at once. */
  readonly holdPort?: number;
  /** How long the hold keeps a request before H20, in seconds (nginx waits a little longer for it). */
  readonly holdTimeoutS?: number;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const TOKEN = /^[A-Za-z0-9_.-]{1,200}$/;
const ADDRESS = /^[0-9a-zA-Z.:[\]-]{1,64}$/;
const PATH = /^\/[A-Za-z0-9._/-]+$/;

/** Access line fields, `|`-separated, in the order `parseNginxAccessLine` reads them. */
export const ACCESS_FIELDS = [
  '$paas_app', '$request_method', '$request_uri', '$host', '$paas_request_id', '$proxy_add_x_forwarded_for',
  '$paas_dyno', '$upstream_connect_time', '$upstream_response_time', '$status', '$bytes_sent', '$paas_code', '$upstream_status',
  // From the boot hold: the process it passed a held request to, or the code of its page.
  '$upstream_http_x_paas_dyno', '$upstream_http_x_paas_code',
] as const;

export function renderNginxConfig(table: RouteTable, options: NginxRenderOptions): string {
  for (const path of [options.runDir, options.platformCertificateFile, options.accessLogFile]) assertPath(path);
  if (!ADDRESS.test(options.host)) throw new Error(`not an address: ${options.host}`);
  const http = `${options.host}:${String(options.httpPort)}`;
  const tls = `${options.host}:${String(options.tlsPort)}`;
  const lines: string[] = [
    '# Rendered by paasd from the route table and replaced whole on every change: do not edit.',
    'daemon off;',
    'worker_processes 1;',
    // The request-id and X-Request-Start maps run a regex on every request: compiled, not interpreted.
    'pcre_jit on;',
    `pid ${options.runDir}/nginx.pid;`,
    `error_log ${options.runDir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${options.runDir}/tmp/${kind};`),
    '  server_tokens off;',
    '  default_type text/plain;',
    `  log_format paas '${ACCESS_FIELDS.join('|')}';`,
    // Every server inherits it. Buffered: one write per 64 KB or per second instead of one per request.
    `  access_log ${options.accessLogFile} paas buffer=64k flush=1s;`,
    '  proxy_http_version 1.1;',
    '  proxy_buffering off;',
    '  proxy_request_buffering off;',
    '  proxy_connect_timeout 5s;',
    `  proxy_read_timeout ${String(options.firstByteTimeoutS ?? 30)}s;`,
    '  proxy_next_upstream error timeout;',
    '  proxy_next_upstream_tries 2;',
    '  client_max_body_size 0;',
    // Host names up to 253 characters and ACME keys (host, path and token) fit in one bucket.
    '  server_names_hash_bucket_size 256;',
    '  map_hash_bucket_size 512;',
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    // nginx has no escape for `$` in strings: pages write it as ${dollar}.
    '  geo $dollar { default "$"; }',
    '  map $http_upgrade $paas_connection { default upgrade; "" ""; }',
    // The router's entry appended to the client's Via chain, as the builtin router does (VIA).
    `  map $http_via $paas_via { "" "${VIA}"; default "$http_via, ${VIA}"; }`,
    '  map $http_x_request_id $paas_request_id { "~^[A-Za-z0-9+/=._-]{20,200}$" $http_x_request_id; default $request_id; }',
    '  map $msec $paas_request_start { "~^(?<s>[0-9]+)\\.(?<ms>[0-9]+)$" $s$ms; default $msec; }',
    '  map $upstream_addr $paas_dyno {',
    '    default "";',
    ...dynoEntries(table),
    '  }',
    '  map "$host $uri" $paas_acme {',
    '    default "";',
    ...[...table.challenges].flatMap(([token, challenge]) =>
      TOKEN.test(token) && TOKEN.test(challenge.keyAuthorization) && NAME.test(challenge.host)
        ? [`    "${challenge.host} /.well-known/acme-challenge/${token}" "${challenge.keyAuthorization}";`]
        : [],
    ),
    '  }',
    ...[...table.apps.values()].flatMap((app) => renderUpstream(app)),
    '  server {',
    `    listen ${http} default_server;`,
    `    listen ${tls} ssl default_server;`,
    '    server_name _;',
    `    ssl_certificate ${options.platformCertificateFile};`,
    `    ssl_certificate_key ${options.platformCertificateFile};`,
    ...serverCommon(options, '', ''),
    '    if ($paas_acme) { return 200 $paas_acme; }',
    `    location / { ${pageReturn({ status: 404, title: 'No such app', explanation: "There is no app at this host. Check the app's name or its custom domains." })} }`,
    '  }',
    ...[...table.apps.values()].flatMap((app) => renderApp(app, table, options, http, tls)),
    '}',
    '',
  ];
  return lines.join('\n');
}

function assertPath(path: string): void {
  if (!PATH.test(path)) throw new Error(`not a plain absolute path: ${path}`);
}

function upstreamName(app: AppRoute): string {
  return `paas_app_${app.name.replace(/-/g, '_')}`;
}

/** Upstream address → process name, for `dyno=` in access lines (one entry per address: nginx refuses duplicates). */
function dynoEntries(table: RouteTable): string[] {
  const entries = new Map<string, string>();
  for (const app of table.apps.values()) {
    for (const backend of app.backends) {
      const address = `${backend.host}:${String(backend.port)}`;
      if (ADDRESS.test(backend.host) && NAME.test(backend.name.replace(/\./g, '-')) && !entries.has(address)) entries.set(address, `    "${address}" "${backend.name}";`);
    }
  }
  return [...entries.values()];
}

function renderUpstream(app: AppRoute): string[] {
  if (!NAME.test(app.name) || app.backends.length === 0) return [];
  return [
    `  upstream ${upstreamName(app)} {`,
    ...app.backends.filter((backend) => ADDRESS.test(backend.host)).map((backend) => `    server ${backend.host}:${String(backend.port)} max_fails=1 fail_timeout=5s;`),
    // As many idle connections as the builtin router keeps per process: with fewer than the
    // clients in flight, every request over the cap opened (and closed) a connection of its own.
    '    keepalive 256;',
    '    keepalive_timeout 30s;',
    '  }',
  ];
}

/** Error pages and the request id on every answer, for every server (a proxied answer gets its own: see proxyLocation). */
function serverCommon(options: NginxRenderOptions, app: string, code: string): string[] {
  return [
    `    set $paas_app "${app}";`,
    `    set $paas_code "${code}";`,
    '    add_header X-Request-Id $paas_request_id always;',
    '    add_header Cache-Control no-store always;',
    // Refused by every process (nginx's 502) is H21, as the builtin router says; no first byte in time is H12.
    '    error_page 502 =503 @paas_H21;',
    '    error_page 504 @paas_H12;',
    `    location @paas_H21 { ${pageReturn(errorPage(ROUTER_ERRORS.H21))} }`,
    `    location @paas_H12 { ${pageReturn(errorPage(ROUTER_ERRORS.H12))} }`,
  ];
}

/** A router page written into the configuration: `return <status> "<html>"`, quoted for nginx. */
function pageReturn(page: RouterPage): string {
  const body = renderPage(page, undefined).body.replace(/["\\]/g, '\\$&').replace(/\$/g, '${dollar}');
  return `default_type "text/html; charset=utf-8"; return ${String(page.status)} "${body}";`;
}

function renderApp(app: AppRoute, table: RouteTable, options: NginxRenderOptions, http: string, tls: string): string[] {
  if (!NAME.test(app.name)) return [];
  const own = `${app.name}.${options.domain}`;
  const domains = app.domains.filter((domain) => NAME.test(domain));
  const withCertificate = domains.filter((domain) => table.certificates.has(domain));
  const decision = decideRoute(app);
  // A booting app: its requests wait in the boot hold, as the builtin router holds them (H20 at once without one).
  // No web process (H14) or crashed (H10) is also decided by the hold, from the newest table: a worker of an
  // older configuration still accepting during a reload would otherwise answer that page after the app's
  // first process was already serving (see boot-hold.ts). Maintenance stays a page here: it is set on purpose.
  const transient = decision.kind === 'wait' || (decision.kind === 'error' && (decision.code === 'H14' || decision.code === 'H10'));
  const held = transient && options.holdPort !== undefined;
  const code = held ? '' : decision.kind === 'error' ? decision.code : decision.kind === 'wait' ? 'H20' : '';
  const port = options.publicTlsPort === 443 ? '' : `:${String(options.publicTlsPort)}`;
  const body = (plain: boolean): string[] => [
    ...serverCommon(options, app.name, code),
    ...(plain ? ['    if ($paas_acme) { return 200 $paas_acme; }'] : []),
    ...(plain && app.redirectHttps === true ? [`    return 308 https://$host${port}$request_uri;`] : []),
    ...(code !== ''
      ? [`    location / { ${pageReturn(errorPage(ROUTER_ERRORS[code as RouterErrorCode]))} }`]
      : held
        ? proxyLocation(`http://127.0.0.1:${String(options.holdPort)}`, [
            `      proxy_set_header X-Paas-App "${app.name}";`,
            `      proxy_read_timeout ${String((options.holdTimeoutS ?? 75) + 5)}s;`,
            '      proxy_hide_header X-Paas-Dyno;',
            '      proxy_hide_header X-Paas-Code;',
          ])
        : proxyLocation(`http://${upstreamName(app)}`, [])),
  ];
  const server = (listen: string[], names: readonly string[], certificateFile: string | undefined, plain: boolean): string[] => [
    '  server {',
    ...listen,
    `    server_name ${names.join(' ')};`,
    ...(certificateFile === undefined ? [] : [`    ssl_certificate ${certificateFile};`, `    ssl_certificate_key ${certificateFile};`]),
    ...body(plain),
    '  }',
  ];
  const platformNames = [own, ...domains.filter((domain) => !withCertificate.includes(domain))];
  return [
    ...server([`    listen ${http};`], [own, ...domains], undefined, true),
    ...server([`    listen ${tls} ssl;`], platformNames, options.platformCertificateFile, false),
    ...withCertificate.flatMap((domain) => {
      const certificate = table.certificates.get(domain);
      return certificate === undefined ? [] : server([`    listen ${tls} ssl;`], [domain], checkedPath(options.certificateFile(certificate)), false);
    }),
  ];
}

/** The app's location: to its upstream, or to the boot hold while it boots (`extra` lines). */
function proxyLocation(target: string, extra: readonly string[]): string[] {
  return [
    '    location / {',
    `      proxy_pass ${target};`,
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header X-Request-Id $paas_request_id;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Forwarded-Port $server_port;',
    '      proxy_set_header X-Request-Start $paas_request_start;',
    ...['X-Forwarded-Host', 'Forwarded', 'X-Forwarded-Ssl', 'X-Real-Ip', 'X-Client-Ip', 'True-Client-Ip'].map((name) => `      proxy_set_header ${name} "";`),
    '      proxy_set_header Upgrade $http_upgrade;',
    '      proxy_set_header Connection $paas_connection;',
    '      proxy_set_header Via $paas_via;',
    '      proxy_hide_header X-Request-Id;',
    // An add_header here stops the server's from being inherited: the app's answers get the
    // request id and keep their own caching headers (the server's no-store is for its pages).
    '      add_header X-Request-Id $paas_request_id always;',
    `      add_header Via "${VIA}" always;`,
    ...extra,
    '    }',
  ];
}

function checkedPath(path: string): string {
  assertPath(path);
  return path;
}

/** One line of nginx's access log (the `paas` format), back into the router's fields. */
export function parseNginxAccessLine(message: string): {
  app: string; method: string; path: string; host: string; requestId: string; fwd: string; dyno: string;
  connectMs: number | undefined; serviceMs: number | undefined; status: number; bytes: number; code: string; upstreamStatus: string;
} | undefined {
  const parts = message.split('|');
  if (parts.length !== ACCESS_FIELDS.length) return undefined;
  const [app = '', method = '', path = '', host = '', requestId = '', fwd = '', dyno = '', connect = '', service = '', status = '', bytes = '', code = '', upstreamStatus = '', heldDyno = '', heldCode = ''] = parts;
  const given = (value: string): string => (value === '-' ? '' : value);
  // The last attempt's time ("0.001", or "0.000, 0.002" / "… : …" after a retry); "-" when none.
  // Read without a regex: paasd reads one such line per request nginx serves.
  const seconds = (value: string): number | undefined => {
    const last = value.slice(Math.max(value.lastIndexOf(','), value.lastIndexOf(':')) + 1).trim();
    const n = last === '' || last.charCodeAt(0) < 48 || last.charCodeAt(0) > 57 ? Number.NaN : Number(last);
    return Number.isFinite(n) ? Math.round(n * 1000) : undefined;
  };
  return {
    app, method, path, host, requestId, fwd, dyno: given(dyno) || given(heldDyno),
    connectMs: seconds(connect), serviceMs: seconds(service), status: Number(status), bytes: Number(bytes), code: code || given(heldCode), upstreamStatus,
  };
}
