import type { AcmeChallenge, AppRoute, AppState, Backend, RouteTable, TlsCertificate } from '@paas/router';
import { createRouteTable } from '@paas/router';
import type { Store } from '@paas/store';

import { chooseCertificates } from './certs/certificate-choice.js';

interface Live {
  readonly backends: readonly Backend[];
  readonly state: AppState;
}

const sameLive = (a: Live | undefined, b: Live): boolean =>
  a !== undefined &&
  a.state === b.state &&
  a.backends.length === b.backends.length &&
  a.backends.every((backend, i) => backend.id === b.backends[i]?.id && backend.port === b.backends[i]?.port);

/**
 * Keeps the router's table in step with the process manager (which web processes are
 * up) and the store (apps, domains, maintenance). The table is rebuilt whole and
 * swapped; the store is read only when the API changed something it holds.
 */
export function createRouteSync(store: Store, router: { update(table: RouteTable): void }) {
  const live = new Map<string, Live>();
  let settings = new Map<string, { domains: string[]; maintenance: boolean; redirectHttps: boolean }>();
  let certificates = new Map<string, TlsCertificate>();
  let challenges: ReadonlyMap<string, AcmeChallenge> = new Map();

  const publish = (): void => {
    const apps: AppRoute[] = [...settings].map(([name, { domains, maintenance, redirectHttps }]) => ({
      name,
      domains,
      maintenance,
      redirectHttps,
      state: live.get(name)?.state ?? 'no-web',
      backends: live.get(name)?.backends ?? [],
    }));
    router.update(createRouteTable(apps, { certificates, challenges }));
  };

  const refresh = (): void => {
    const domains = new Map<string, string[]>();
    const allDomains = store.domains.list();
    for (const domain of allDomains) domains.set(domain.appId, [...(domains.get(domain.appId) ?? []), domain.hostname]);
    settings = new Map(store.apps.list().map((app) => [app.name, { domains: domains.get(app.id) ?? [], maintenance: app.maintenance, redirectHttps: app.redirectHttps }]));
    certificates = chooseCertificates(allDomains, store.certificates.list(), Date.now());
    for (const name of live.keys()) if (!settings.has(name)) live.delete(name);
    publish();
  };

  return {
    /** From the process manager: the app's routable web processes changed. */
    setRoutes(app: string, backends: readonly Backend[], state: AppState): void {
      const next = { backends, state };
      if (sameLive(live.get(app), next)) return;
      live.set(app, next);
      publish();
    },
    /** From the API or ACME: apps, domains, maintenance, redirects or certificates changed. */
    refresh,
    /** From ACME: the HTTP-01 challenges to answer now (token → host and key authorization). */
    setChallenges(this: void, next: ReadonlyMap<string, AcmeChallenge>): void {
      challenges = next;
      publish();
    },
  };
}
