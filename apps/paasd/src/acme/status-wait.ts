/**
 * Waiting for an ACME challenge (or order) to become valid, in place of acme-client's own
 * `waitForValidStatus`. Its wait retries on timers nobody can stop — ten attempts backing off
 * to 30 s, minutes against a CA that has gone away — so a closed paasd (a test's, or one
 * restarting) was kept alive by an order in flight. This one polls the same way (POST-as-GET
 * of the item's URL, RFC 8555 §7.5.1) and gives up at once when told to stop.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type acmeClient from 'acme-client';

const VALID = new Set(['ready', 'valid']);
const PENDING = new Set(['pending', 'processing']);

export class AcmeWaitStopped extends Error {
  constructor() {
    super('the ACME service was closed while an order was under way');
  }
}

export interface StatusWaitOptions {
  readonly attempts: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Aborted when the service closes: the wait ends with AcmeWaitStopped. */
  readonly signal: AbortSignal;
}

/** Makes `client.waitForValidStatus` this closable poll (what acme-client's `auto()` calls). */
export function useClosableStatusWait(client: acmeClient.Client, options: StatusWaitOptions): void {
  const wait = async (item: { url?: string }): Promise<unknown> => {
    if (item.url === undefined) throw new Error('Unable to verify status of item, URL not found');
    let lastError: unknown;
    for (let attempt = 0; attempt < options.attempts; attempt += 1) {
      if (options.signal.aborted) throw new AcmeWaitStopped();
      // getOrder is a POST-as-GET of any URL with the account's key, as acme-client's own wait does.
      const current = (await client.getOrder({ url: item.url } as acmeClient.Order)) as unknown as { status: string; error?: { detail?: string } | string; detail?: string };
      // The CA's own reason, as acme-client words it (the challenge's error detail).
      if (current.status === 'invalid') throw new Error(caReason(current));
      if (VALID.has(current.status)) return current;
      lastError = new Error(PENDING.has(current.status) ? 'Operation is pending or processing' : `Unexpected item status: ${current.status}`);
      try {
        await sleep(Math.min(options.minMs * 2 ** attempt, options.maxMs), undefined, { signal: options.signal });
      } catch {
        throw new AcmeWaitStopped();
      }
    }
    throw lastError instanceof Error ? lastError : new Error('The CA did not validate in time');
  };
  (client as unknown as { waitForValidStatus: typeof wait }).waitForValidStatus = wait;
}

function caReason(item: { error?: { detail?: string } | string; detail?: string }): string {
  const error = item.error;
  const reason = error === undefined ? item.detail ?? JSON.stringify(item) : typeof error === 'string' ? error : error.detail ?? JSON.stringify(error);
  return reason.replace(/\n/g, '');
}
