/**
 * When automatic certificates are ordered: a pure function of the apps, their domains,
 * the certificates ACME issued and each host name's state, with the clock passed in.
 */

export interface AcmApp {
  readonly appId: string;
  readonly name: string;
  readonly acm: boolean;
  readonly domains: readonly string[];
}

export interface AcmCertificate {
  readonly appId: string;
  readonly hostnames: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface AcmHostState {
  readonly hostname: string;
  readonly nextAttemptAt: string | null;
}

export interface AcmOrder {
  readonly appId: string;
  readonly app: string;
  readonly hostname: string;
  readonly reason: 'new' | 'renew';
}

export interface AcmPlan {
  readonly orders: readonly AcmOrder[];
  /** When to look again: the next renewal or retry due, at most `maxWaitMs` from now. */
  readonly nextCheckAt: number;
}

const DAY = 24 * 3_600_000;
/** Renew this long before expiry (Let's Encrypt's advice), or at a third of a shorter lifetime. */
export const RENEW_BEFORE_MS = 30 * DAY;

/** When a certificate is due for renewal: 30 days before it ends, or at two thirds of a shorter life. */
export function renewalDueAt(certificate: Pick<AcmCertificate, 'notBefore' | 'notAfter'>): number {
  const start = Date.parse(certificate.notBefore);
  const end = Date.parse(certificate.notAfter);
  return end - Math.min(RENEW_BEFORE_MS, (end - start) / 3);
}

/** The wait before the next order after `failures` failed ones in a row: 1 min, doubling, at most a day. */
export function retryDelayMs(failures: number, baseMs = 60_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), DAY);
}

export function planAcmOrders(
  now: number,
  apps: readonly AcmApp[],
  certificates: readonly AcmCertificate[],
  hosts: readonly AcmHostState[],
  inFlight: ReadonlySet<string>,
  maxWaitMs = 3_600_000,
): AcmPlan {
  const orders: AcmOrder[] = [];
  let nextCheckAt = now + maxWaitMs;
  const stateOf = new Map(hosts.map((host) => [host.hostname, host]));
  for (const app of apps) {
    if (!app.acm) continue;
    for (const hostname of app.domains) {
      if (inFlight.has(hostname)) continue;
      const retryAt = parseOrZero(stateOf.get(hostname)?.nextAttemptAt ?? null);
      // The newest certificate ACME issued for this name.
      let current: AcmCertificate | undefined;
      for (const certificate of certificates) {
        if (certificate.appId !== app.appId || !certificate.hostnames.includes(hostname)) continue;
        if (current === undefined || Date.parse(certificate.notAfter) > Date.parse(current.notAfter)) current = certificate;
      }
      const dueAt = Math.max(current === undefined ? now : renewalDueAt(current), retryAt);
      if (dueAt <= now) orders.push({ appId: app.appId, app: app.name, hostname, reason: current === undefined ? 'new' : 'renew' });
      else nextCheckAt = Math.min(nextCheckAt, dueAt);
    }
  }
  return { orders, nextCheckAt };
}

function parseOrZero(value: string | null): number {
  return value === null ? 0 : Date.parse(value);
}
