/**
 * Header rewriting between client and app, in one pass over `rawHeaders` (names keep
 * their case and order; duplicates stay duplicates). Hop-by-hop headers stop here; the
 * router's own `X-Forwarded-*`, `X-Request-Id` and `X-Request-Start` replace whatever the
 * client claimed, except `X-Forwarded-For` and `Via`, which are appended to like Heroku's router.
 */
import { randomUUID } from 'node:crypto';

/**
 * The router's entry in `Via` (RFC 9110 §7.6.3), on every request it forwards to an app and
 * every answer it forwards back, as Heroku's router adds `1.1 vegur`.
 */
export const VIA = '1.1 paas';

/** A request id the client may choose; anything else is replaced by a uuid. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9+/=._-]{20,200}$/;

type Role = 'host' | 'drop' | 'connection' | 'transfer-encoding' | 'upgrade' | 'request-id' | 'xff' | 'via' | 'content-length' | 'accept';

const REQUEST_ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['host', 'host'],
  ['connection', 'connection'],
  ['keep-alive', 'drop'],
  ['te', 'drop'],
  ['trailer', 'drop'],
  ['transfer-encoding', 'transfer-encoding'],
  ['upgrade', 'upgrade'],
  // The router already answered `100 Continue` (node's default); the app need not.
  ['expect', 'drop'],
  ['x-request-id', 'request-id'],
  ['x-request-start', 'drop'],
  ['x-forwarded-for', 'xff'],
  ['via', 'via'],
  // Never trusted from a client: an app building absolute URLs from it could be pointed anywhere.
  ['x-forwarded-host', 'drop'],
  ['x-forwarded-proto', 'drop'],
  ['x-forwarded-port', 'drop'],
  ['forwarded', 'drop'],
  ['x-forwarded-ssl', 'drop'],
  // The client's address is what the router appends to X-Forwarded-For; these would let a client claim any.
  ['x-real-ip', 'drop'],
  ['x-client-ip', 'drop'],
  ['true-client-ip', 'drop'],
  ['content-length', 'content-length'],
  ['accept', 'accept'],
]);

const RESPONSE_DROPS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-request-id',
]);

/** What the router needs to know about a request, and the headers to send on. */
export interface RequestHead {
  /** Raw name/value pairs to send to the app, before the router's own are added. */
  readonly headers: string[];
  readonly hostCount: number;
  readonly host: string | undefined;
  /** The client's request id if sane, else a fresh uuid. */
  readonly requestId: string;
  /** The client's X-Forwarded-For chain (joined), if any. */
  readonly forwardedFor: string | undefined;
  /** The client's Via chain (joined), if any. */
  readonly via: string | undefined;
  readonly hasBody: boolean;
  readonly accept: string | undefined;
  /** The Upgrade header's value, lower-cased. */
  readonly upgrade: string | undefined;
}

export function readRequestHead(raw: readonly string[]): RequestHead {
  const headers: string[] = [];
  let hostCount = 0;
  let host: string | undefined;
  let requestId: string | undefined;
  let forwardedFor: string | undefined;
  let via: string | undefined;
  let hasBody = false;
  let accept: string | undefined;
  let upgrade: string | undefined;
  let connectionTokens: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    const role = REQUEST_ROLES.get(lower);
    if (role === undefined) {
      if (!lower.startsWith('proxy-')) headers.push(name, value);
      continue;
    }
    switch (role) {
      case 'host':
        hostCount += 1;
        host ??= value;
        headers.push(name, value);
        break;
      case 'connection':
        connectionTokens = extraConnectionTokens(value, connectionTokens);
        break;
      case 'transfer-encoding':
        // Hop-by-hop: the body goes on chunked again by the upstream client, which frames
        // any body without a Content-Length itself (node has already de-chunked it).
        hasBody = true;
        break;
      case 'upgrade':
        upgrade = value.toLowerCase();
        break;
      case 'request-id':
        if (requestId === undefined && REQUEST_ID_PATTERN.test(value)) requestId = value;
        break;
      case 'xff':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      case 'via':
        via = via === undefined ? value : `${via}, ${value}`;
        break;
      case 'content-length':
        if (value !== '0') hasBody = true;
        headers.push(name, value);
        break;
      case 'accept':
        accept = value;
        headers.push(name, value);
        break;
      case 'drop':
        break;
    }
  }
  return {
    headers: connectionTokens === undefined ? headers : withoutNames(headers, connectionTokens),
    hostCount,
    host,
    requestId: requestId ?? randomUUID(),
    forwardedFor,
    via,
    hasBody,
    accept,
    upgrade,
  };
}

/** Header names listed in `Connection` (besides the usual keywords) are hop-by-hop too. */
function extraConnectionTokens(value: string, found: string[] | undefined): string[] | undefined {
  let tokens = found;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name.length === 0 || name === 'keep-alive' || name === 'close' || name === 'upgrade') continue;
    (tokens ??= []).push(name);
  }
  return tokens;
}

function withoutNames(headers: readonly string[], names: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!names.includes(name.toLowerCase())) kept.push(name, headers[i + 1] as string);
  }
  return kept;
}

/** Client address without the IPv4-mapped IPv6 prefix (`::ffff:127.0.0.1`). */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

/**
 * Appends the router's headers to `head.headers`; returns the X-Forwarded-For sent.
 * `proto` and `listenPort` describe the listener the client reached (HTTP or HTTPS).
 */
export function addForwardedHeaders(head: RequestHead, client: string, proto: 'http' | 'https', listenPort: number, startMs: number): string {
  const forwardedFor = head.forwardedFor === undefined ? client : `${head.forwardedFor}, ${client}`;
  head.headers.push(
    'X-Request-Id', head.requestId,
    'X-Forwarded-For', forwardedFor,
    'X-Forwarded-Proto', proto,
    'X-Forwarded-Port', String(listenPort),
    'X-Request-Start', String(startMs),
    'Via', head.via === undefined ? VIA : `${head.via}, ${VIA}`,
  );
  return forwardedFor;
}

/**
 * The app's response headers (raw name/value bytes, as the upstream client parsed them) minus
 * hop-by-hop ones, plus the request id and the router's `Via` (after any the app sent).
 * Latin-1, as node's own parser reads header bytes, so whatever the app sent goes out byte
 * for byte.
 */
export function responseHeaders(raw: readonly Buffer[], requestId: string): string[] {
  const headers: string[] = [];
  let connectionTokens: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') connectionTokens = extraConnectionTokens(value, connectionTokens);
    if (RESPONSE_DROPS.has(lower) || lower.startsWith('proxy-')) continue;
    headers.push(name, value);
  }
  headers.push('X-Request-Id', requestId, 'Via', VIA);
  return connectionTokens === undefined ? headers : withoutNames(headers, connectionTokens);
}
