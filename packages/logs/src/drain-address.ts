import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

import { TARGET_ADDRESS_RULE, type TargetPolicy, refuseTargetAddress } from '@paas/core';

/**
 * A drain URL is user input that the platform connects to: it may reach public addresses
 * only, never the host itself, its network or a cloud metadata service (SSRF targets).
 * The classification is core's; an operator may allow loopback and private collectors.
 */
export const FORBIDDEN_ADDRESS_RULE = `drains cannot reach that address: ${TARGET_ADDRESS_RULE}`;

/** Why a drain must not connect to this IP literal, or undefined when it may. */
export function refuseDrainAddress(address: string, policy: TargetPolicy = {}): string | undefined {
  return refuseTargetAddress(address, policy);
}

/**
 * A `lookup` for net/tls/http that refuses names resolving to forbidden addresses, so a DNS
 * name (`metadata.google.internal`, or a record changed after the drain was added) cannot
 * reach what an IP literal in the URL could not. It runs at every connect.
 */
export function createGuardedLookup(policy: TargetPolicy = {}): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAllOptions = { ...options, all: true };
    lookup(hostname, all, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = addresses.filter((entry) => refuseTargetAddress(entry.address, policy) === undefined);
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
}
