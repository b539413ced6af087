import { BlockList, isIP } from 'node:net';

/**
 * What kind of address an IP literal is, for user-given targets the platform connects to
 * (log drains, buildpack git URLs). Only `public` is reachable by default: the rest reach
 * the platform's host, its network, or a cloud metadata service (SSRF targets).
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

type Range = readonly [AddressClass, string, number];

// Order matters: the first range that holds an address names its class.
const RANGES: readonly Range[] = [
  ['metadata', '169.254.169.254', 32],
  ['metadata', 'fd00:ec2::254', 128],
  ['unspecified', '0.0.0.0', 8],
  ['unspecified', '::', 128],
  ['loopback', '127.0.0.0', 8],
  ['loopback', '::1', 128],
  ['private', '10.0.0.0', 8],
  ['private', '172.16.0.0', 12],
  ['private', '192.168.0.0', 16],
  ['private', '100.64.0.0', 10],
  ['private', 'fc00::', 7],
  ['private', 'fec0::', 10],
  ['link-local', '169.254.0.0', 16],
  ['link-local', 'fe80::', 10],
  ['multicast', '224.0.0.0', 4],
  ['multicast', 'ff00::', 8],
  ['reserved', '240.0.0.0', 4],
  ['reserved', '192.0.0.0', 24],
  ['reserved', '192.0.2.0', 24],
  ['reserved', '198.18.0.0', 15],
  ['reserved', '198.51.100.0', 24],
  ['reserved', '203.0.113.0', 24],
  ['reserved', '2001:db8::', 32],
  // Translation prefixes carry an IPv4 address inside that may be any of the above.
  ['reserved', '64:ff9b::', 96],
  ['reserved', '64:ff9b:1::', 48],
  ['reserved', '2002::', 16],
  ['reserved', '100::', 64],
  ['reserved', '::', 96],
];

const LISTS = RANGES.map(([kind, network, prefix]) => {
  const list = new BlockList();
  const family = isIP(network) === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(network, prefix, family);
  return { kind, list, family } as const;
});

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` are IPv4 addresses in IPv6 clothing. */
function unmapIpv4(address: string): string | undefined {
  const match = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (!match?.[1]) return undefined;
  const rest = match[1];
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex?.[1] || !hex[2]) return undefined;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** The class of an IP literal (IPv6 without brackets), or undefined when it is not one. */
export function classifyAddress(address: string): AddressClass | undefined {
  let candidate = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  let family = isIP(candidate);
  if (family === 0) return undefined;
  if (family === 6) {
    const ipv4 = unmapIpv4(candidate);
    if (ipv4 !== undefined) {
      candidate = ipv4;
      family = 4;
    }
  }
  const wanted = family === 4 ? 'ipv4' : 'ipv6';
  for (const { kind, list, family: listFamily } of LISTS) {
    if (listFamily === wanted && list.check(candidate, wanted)) return kind;
  }
  return 'public';
}

export interface TargetPolicy {
  /**
   * Also allow loopback and private (RFC 1918, CGNAT, ULA) addresses: for a log collector
   * on the platform's own network, and for tests with receivers on 127.0.0.1. Link-local,
   * metadata, unspecified, multicast and reserved addresses stay refused.
   */
  readonly allowPrivate?: boolean;
}

export const TARGET_ADDRESS_RULE =
  'targets must be public addresses, not loopback, private, link-local, unique-local, unspecified, multicast or cloud metadata addresses' +
  ' (an operator can allow loopback and private ones with PAAS_ALLOW_PRIVATE_TARGETS=1)';

/** Why the platform must not connect to this IP literal, or undefined when it may. */
export function refuseTargetAddress(address: string, policy: TargetPolicy = {}): string | undefined {
  const kind = classifyAddress(address);
  if (kind === undefined) return `${address} is not an IP address`;
  if (kind === 'public') return undefined;
  if (policy.allowPrivate === true && (kind === 'loopback' || kind === 'private')) return undefined;
  return `${address} is a ${kind} address`;
}
