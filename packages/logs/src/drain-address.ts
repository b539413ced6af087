import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a drain may never reach. Cloud metadata services live on link-local addresses
 * (169.254.169.254, fe80::…), and "this host" addresses reach the platform itself: a drain
 * URL is user input that the platform connects to, so these are SSRF targets.
 * Loopback and private ranges stay allowed: a self-hosted platform's log collector often
 * runs on the same host or network.
 */
function forbiddenAddresses(): BlockList {
  const list = new BlockList();
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addAddress('::', 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  return list;
}

const FORBIDDEN = forbiddenAddresses();

/** True for an IP literal a drain must not connect to (IPv4-mapped IPv6 forms included). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export const FORBIDDEN_ADDRESS_RULE =
  'drains cannot reach link-local addresses (169.254.0.0/16, fe80::/10) or 0.0.0.0/::, where cloud metadata services and the host itself answer';

/**
 * A `lookup` for net/tls/http that refuses names resolving to forbidden addresses, so a DNS
 * name (`metadata.google.internal`, or a record changed after the drain was added) cannot
 * reach what an IP literal in the URL could not.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  const all: LookupAllOptions = { ...options, all: true };
  lookup(hostname, all, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '', 0);
      return;
    }
    const allowed = addresses.filter((entry) => !isForbiddenAddress(entry.address));
    if (allowed.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves only to forbidden addresses: ${FORBIDDEN_ADDRESS_RULE}`);
      refused.code = 'EFORBIDDEN';
      callback(refused, '', 0);
      return;
    }
    if (options.all === true) {
      // Node's callback type has one address; with `all` it is called with the list.
      (callback as unknown as (err: null, list: LookupAddress[]) => void)(null, allowed);
      return;
    }
    const first = allowed[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
};
