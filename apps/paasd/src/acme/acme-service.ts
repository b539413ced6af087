/**
 * Automatic certificates: orders from an ACME directory (acme-client) for the custom
 * domains of apps with ACM on, HTTP-01 challenges answered by the router, renewals ahead of
 * expiry, a growing wait after failures. What happens is told in the app's log stream as
 * `paas[acm]` lines; the store keeps the certificates, each host name's state and the account.
 */
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';

import type acmeClient from 'acme-client';

import type { AcmeChallenge } from '@paas/router';
import type { Store } from '@paas/store';

import { issuerOf, namesOf, parseChain } from '../certs/certificate-check.js';
import type { Logger } from '../logger.js';
import { planAcmOrders, retryDelayMs, type AcmOrder } from './acm-plan.js';
import { useClosableStatusWait } from './status-wait.js';

/** How long shutdown waits for an order under way. */
const CLOSE_WAIT_MS = 1_000;

export interface AcmeServiceOptions {
  readonly store: Store;
  readonly directory: string;
  readonly email: string | undefined;
  /** Extra CA certificates (PEM file) to trust for the directory's HTTPS. */
  readonly caFile: string | undefined;
  /** A line in the app's log stream, as `paas[acm]`. */
  readonly appLog: (app: string, line: string) => void;
  /** Certificates changed in the store: the router's table must follow; resolves once it serves them. */
  readonly onCertificates: () => Promise<void>;
  /** The HTTP-01 challenges the router must answer now; resolves once it does. */
  readonly setChallenges: (challenges: ReadonlyMap<string, AcmeChallenge>) => Promise<void>;
  readonly logger: Logger;
  /** First wait after a failed order (doubles per failure, at most a day); default 1 min. */
  readonly retryBaseMs?: number;
}

export interface AcmeService {
  /** Looks for orders to make now (after a domain was added or ACM turned on). */
  kick(): void;
  /** `certs:auto:refresh`: orders again for every domain of the app, waiting for no backoff. */
  refresh(app: { id: string; name: string }): void;
  /** Waits for the orders under way to end (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createAcmeService(options: AcmeServiceOptions): AcmeService {
  const { store, logger } = options;
  const challenges = new Map<string, AcmeChallenge>();
  const inFlight = new Set<string>();
  const warned = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  let client: acmeClient.Client | undefined;
  /** Aborted on close: an order waiting on the CA stops then (see status-wait.ts). */
  const stopped = new AbortController();
  const directoryHost = URL.canParse(options.directory) ? new URL(options.directory).host : options.directory;

  // acme-client (and the axios it brings) is loaded with the first order: most
  // installations never order, and it would be a tenth of paasd's idle memory.
  // The CA file is read now, so a wrong path is told at start rather than at the first order.
  const extraCa = options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8');
  let loaded: Promise<typeof acmeClient> | undefined;
  const loadAcme = (): Promise<typeof acmeClient> =>
    (loaded ??= import('acme-client').then(({ default: acme }) => {
      if (extraCa !== undefined) {
        // acme-client sends every request through one axios instance; its default agent is
        // the only way to add a CA. paasd talks to one ACME directory, so this is that.
        // Node's own roots stay trusted: the file adds to them.
        acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, extraCa], keepAlive: true });
      }
      return acme;
    }));

  const publishChallenges = (): Promise<void> => options.setChallenges(new Map(challenges));

  /** The account key is made once per directory and kept; the account URL once registered. */
  const accountClient = async (): Promise<acmeClient.Client> => {
    if (client !== undefined) return client;
    const acme = await loadAcme();
    let account = store.certificates.account(options.directory);
    if (account === undefined) {
      const key = (await acme.crypto.createPrivateEcdsaKey()).toString();
      account = { directory: options.directory, accountKey: key, accountUrl: null };
      store.certificates.saveAccount(account);
    }
    const made = new acme.Client({
      directoryUrl: options.directory,
      accountKey: account.accountKey,
      ...(account.accountUrl === null ? {} : { accountUrl: account.accountUrl }),
    });
    useClosableStatusWait(made, { attempts: 10, minMs: 1_000, maxMs: 30_000, signal: stopped.signal });
    if (account.accountUrl === null) {
      await made.createAccount({ termsOfServiceAgreed: true, ...(options.email === undefined ? {} : { contact: [`mailto:${options.email}`] }) });
      store.certificates.saveAccount({ ...account, accountUrl: made.getAccountUrl() });
      logger.info({ directory: options.directory }, 'acme account registered');
    }
    client = made;
    return made;
  };

  const order = async ({ appId, app, hostname, reason }: AcmOrder): Promise<void> => {
    const previous = store.certificates.acmHosts(appId).find((host) => host.hostname === hostname);
    // A renewal keeps saying "cert issued": the current certificate serves until the new one replaces it.
    const status = reason === 'renew' && previous?.status === 'cert issued' ? 'cert issued' : 'pending';
    store.certificates.setAcmHost({ id: appId }, hostname, { status, lastError: null, failures: previous?.failures ?? 0, nextAttemptAt: null });
    options.appLog(app, `${reason === 'new' ? 'Ordering' : 'Renewing'} a certificate for ${hostname} from ${directoryHost}`);
    try {
      const ordering = await accountClient();
      const acme = await loadAcme();
      const key = await acme.crypto.createPrivateEcdsaKey();
      const [, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, key);
      const pem = await ordering.auto({
        csr,
        termsOfServiceAgreed: true,
        ...(options.email === undefined ? {} : { email: options.email }),
        challengePriority: ['http-01'],
        // acme-client's own check fetches the token over this host's DNS; the CA's check is the one that counts.
        skipChallengeVerification: true,
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          if (challenge.type !== 'http-01') throw new Error(`only HTTP-01 challenges are answered, not ${challenge.type}`);
          challenges.set(challenge.token, { host: authz.identifier.value.toLowerCase(), keyAuthorization });
          // The CA may ask at once: the answer must be served before the challenge is completed.
          await publishChallenges();
        },
        challengeRemoveFn: async (_authz, challenge) => {
          challenges.delete(challenge.token);
          await publishChallenges();
        },
      });
      if (closed) return;
      const certs = parseChain(pem);
      const leaf = certs[0] as X509Certificate;
      const record = store.certificates.replaceAcm({ id: appId, name: app }, hostname, {
        hostnames: namesOf(leaf),
        chain: certs.map((cert) => cert.toString()).join(''),
        privateKey: key.toString(),
        issuer: issuerOf(leaf),
        notBefore: new Date(leaf.validFrom).toISOString(),
        notAfter: new Date(leaf.validTo).toISOString(),
      });
      // Told as issued once it is what the router serves.
      await options.onCertificates();
      store.certificates.setAcmHost({ id: appId }, hostname, { status: 'cert issued', lastError: null, failures: 0, nextAttemptAt: null });
      options.appLog(app, `Certificate issued for ${hostname} by ${record.issuer}, valid until ${record.notAfter}`);
    } catch (error) {
      if (closed) return;
      const failures = (previous?.failures ?? 0) + 1;
      const nextAttemptAt = new Date(Date.now() + retryDelayMs(failures, options.retryBaseMs)).toISOString();
      const message = describeAcmeError(error);
      store.certificates.setAcmHost({ id: appId }, hostname, { status: 'failing', lastError: message, failures, nextAttemptAt });
      options.appLog(app, `Certificate order for ${hostname} failed: ${message}. Next attempt at ${nextAttemptAt}`);
      logger.warn({ app, hostname, err: error }, 'acme order failed');
    }
  };

  const check = async (): Promise<void> => {
    if (closed) return;
    const domains = store.domains.list();
    const apps = store.apps.list().map((app) => ({
      appId: app.id,
      name: app.name,
      acm: app.acm,
      domains: domains.filter((domain) => domain.appId === app.id).map((domain) => domain.hostname),
    }));
    for (const app of apps) if (app.acm) store.certificates.pruneAcm(app.appId, app.domains);
    const issued = store.certificates.list().filter((certificate) => certificate.source === 'acm');
    const plan = planAcmOrders(Date.now(), apps, issued, store.certificates.acmHosts(), inFlight);
    warnNearExpiry(store, options.appLog, Date.now(), warned);
    for (const next of plan.orders) inFlight.add(next.hostname);
    // One order at a time: the CA's rate limits, and a log that reads in order.
    for (const next of plan.orders) {
      if (closed) break;
      await order(next);
      inFlight.delete(next.hostname);
    }
    schedule(plan.orders.length > 0 ? Date.now() : plan.nextCheckAt);
  };

  const schedule = (at: number): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(kick, Math.max(0, at - Date.now()));
    timer.unref();
  };

  function kick(): void {
    running = running.then(check).catch((error: unknown) => {
      logger.error({ err: error }, 'acme check failed');
      schedule(Date.now() + 60_000);
    });
  }

  return {
    kick,
    refresh(app) {
      for (const host of store.certificates.acmHosts(app.id)) {
        store.certificates.setAcmHost({ id: app.id }, host.hostname, { status: host.status, lastError: host.lastError, failures: host.failures, nextAttemptAt: null });
      }
      // A refresh orders again even where a valid certificate stands, so it does not go through the plan.
      running = running.then(async () => {
        const domains = store.domains.list(app.id).map((domain) => domain.hostname);
        for (const hostname of domains) {
          if (closed) break;
          inFlight.add(hostname);
          await order({ appId: app.id, app: app.name, hostname, reason: 'renew' });
          inFlight.delete(hostname);
        }
      });
      kick();
    },
    idle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== running) {
        seen = running;
        await running;
      }
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      stopped.abort();
      // An order waiting on the CA ends at once (status-wait.ts); one in the middle of a request
      // ends with that request, writing nothing once closed, rather than holding up shutdown.
      await Promise.race([running, sleep(CLOSE_WAIT_MS)]);
    },
  };
}

/** The CA's own words where there are some (RFC 7807 detail), else the error's message. */
function describeAcmeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}

const DAY = 24 * 3_600_000;

/** Uploaded certificates ending within 30 days: one `paas[acm]` line a day per certificate (`last`: when each was told). */
function warnNearExpiry(store: Store, appLog: (app: string, line: string) => void, now: number, last: Map<string, number>): void {
  const names = new Map(store.apps.list().map((app) => [app.id, app.name]));
  for (const certificate of store.certificates.list()) {
    if (certificate.source !== 'uploaded') continue;
    const left = Date.parse(certificate.notAfter) - now;
    if (left > 30 * DAY || now - (last.get(certificate.id) ?? 0) < DAY) continue;
    last.set(certificate.id, now);
    const app = names.get(certificate.appId);
    if (app === undefined) continue;
    appLog(
      app,
      left <= 0
        ? `The certificate for ${certificate.hostnames.join(', ')} expired at ${certificate.notAfter}: upload a new one (paas certs:add) or use paas certs:auto:enable`
        : `The certificate for ${certificate.hostnames.join(', ')} expires at ${certificate.notAfter} (in ${String(Math.ceil(left / DAY))} days): upload a new one (paas certs:add) or use paas certs:auto:enable`,
    );
  }
}
