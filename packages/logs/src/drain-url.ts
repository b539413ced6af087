import { isIP } from 'node:net';

import { PaasError, type TargetPolicy } from '@paas/core';

import { FORBIDDEN_ADDRESS_RULE, refuseDrainAddress } from './drain-address.js';

/** Plain `http://` is not offered: it would send app logs and credentials in clear text. */
export type DrainScheme = 'syslog' | 'syslog+tls' | 'https';

/** A drain URL that passed validation, split into what a connection needs. */
export interface DrainUrl {
  readonly scheme: DrainScheme;
  /** DNS name (lowercased) or IP literal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** Decoded; HTTP drains send them as Basic auth, never in the request line. */
  readonly username: string;
  readonly password: string;
  /** HTTP drains: path and query string as written (`/logs?x=1`); `''` for syslog. */
  readonly path: string;
}

export const MAX_DRAIN_URL_LENGTH = 2048;

const EXAMPLES = 'syslog://logs.example.com:514, syslog+tls://logs.example.com:6514 or https://user:pass@logs.example.com/drain';
const DEFAULT_PORTS: Readonly<Record<DrainScheme, number | undefined>> = {
  syslog: undefined,
  'syslog+tls': undefined,
  https: 443,
};

function invalid(message: string): PaasError {
  return new PaasError('invalid_params', message);
}

function schemeOf(protocol: string): DrainScheme | undefined {
  const scheme = protocol.slice(0, -1);
  return Object.hasOwn(DEFAULT_PORTS, scheme) ? (scheme as DrainScheme) : undefined;
}

/**
 * `syslog:` is not a scheme the URL standard knows, so its host stays opaque:
 * `syslog://2852039166:514` would reach 169.254.169.254 through the resolver's inet_aton.
 * Reading the host as an http URL's gives the same canonical form for every scheme.
 */
function canonicalHost(rawHost: string): string | undefined {
  try {
    const host = new URL(`http://${rawHost}/`).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    // not a host the URL standard accepts; the caller says so
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // a lone `%` is kept as written rather than refusing the URL
    return text;
  }
}

/**
 * Validates a drain URL as entered by a user. Messages never repeat the URL itself, which
 * may carry credentials; they say what is wrong and show the expected form.
 */
export function parseDrainUrl(url: string, policy: TargetPolicy = {}): DrainUrl {
  if (url.length > MAX_DRAIN_URL_LENGTH) {
    throw invalid(`Drain URLs are at most ${String(MAX_DRAIN_URL_LENGTH)} characters; this one has ${String(url.length)}.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`That drain URL could not be parsed. Use ${EXAMPLES}.`);
  }
  const scheme = schemeOf(parsed.protocol);
  if (scheme === undefined) {
    throw invalid(`Drain URLs start with syslog://, syslog+tls:// or https://, not ${parsed.protocol}//. Use ${EXAMPLES}.`);
  }
  const host = parsed.hostname === '' ? undefined : canonicalHost(parsed.hostname);
  if (host === undefined || host === '') {
    throw invalid(`That drain URL has no valid host. Use ${EXAMPLES}.`);
  }
  const refused = isIP(host) === 0 ? undefined : refuseDrainAddress(host, policy);
  if (refused !== undefined) {
    throw invalid(`Drain host ${host} is not allowed (${refused}): ${FORBIDDEN_ADDRESS_RULE}.`);
  }
  const syslog = scheme === 'syslog' || scheme === 'syslog+tls';
  const example = `${scheme}://${host.includes(':') ? `[${host}]` : host}`;
  let port = DEFAULT_PORTS[scheme];
  if (parsed.port !== '') port = Number(parsed.port);
  if (port === undefined) {
    throw invalid(`syslog drain URLs need a port: ${example}:${scheme === 'syslog' ? '514' : '6514'}`);
  }
  if (port < 1 || port > 65535) {
    throw invalid(`Drain ports go from 1 to 65535, not ${String(port)}.`);
  }
  if (parsed.hash !== '') {
    throw invalid(`Drain URLs cannot have a #fragment: remove it (${example}:${String(port)}).`);
  }
  if (syslog) {
    if (parsed.username !== '' || parsed.password !== '') {
      throw invalid(`syslog drains carry no credentials: remove the user:password@ part (${example}:${String(port)}).`);
    }
    if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
      throw invalid(`syslog drain URLs have no path or query string: ${example}:${String(port)}`);
    }
  }
  return {
    scheme,
    host,
    port,
    username: safeDecode(parsed.username),
    password: safeDecode(parsed.password),
    path: syslog ? '' : `${parsed.pathname === '' ? '/' : parsed.pathname}${parsed.search}`,
  };
}

// Over-redacting a harmless parameter costs nothing; showing a signature leaks access.
const SECRET_PARAMETER = /token|key|secret|pass|sig|auth|credential/i;

function redactQuery(search: string): string {
  if (search === '') return '';
  const pairs = search.slice(1).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    if (equals < 0) return pair;
    const name = safeDecode(pair.slice(0, equals).replaceAll('+', ' '));
    return SECRET_PARAMETER.test(name) ? `${pair.slice(0, equals)}=***` : pair;
  });
  return `?${pairs.join('&')}`;
}

/**
 * The drain URL as the platform shows it back (CLI lists, error lines): a password and
 * secret-looking query values become `***`. What cannot be parsed is not shown at all.
 */
export function redactDrainUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // an unparsable URL might still hold a secret anywhere in it
    return '(invalid drain URL)';
  }
  const credentials = parsed.username === '' && parsed.password === ''
    ? ''
    : `${parsed.username}${parsed.password === '' ? '' : ':***'}@`;
  const hash = parsed.hash === '' ? '' : '#***';
  return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${redactQuery(parsed.search)}${hash}`;
}
