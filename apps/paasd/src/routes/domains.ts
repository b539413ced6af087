import type { FastifyInstance } from 'fastify';

import { invalidParams, notFound } from '@paas/core';
import type { DomainResource } from '@paas/core';
import type { AppRecord, DomainRecord } from '@paas/store';

import { stableId } from '../resources.js';
import type { PublicUrls } from '../resources.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const toResource = (app: AppRecord, domain: DomainRecord, urls: PublicUrls): DomainResource => ({
  hostname: domain.hostname,
  app: { id: app.id, name: app.name },
  created_at: domain.createdAt,
  id: stableId('domain', domain.hostname),
  kind: 'custom',
  cname: `${app.name}.${urls.domain}`,
  status: 'none',
  acm_status: null,
  sni_endpoint: null,
  updated_at: domain.createdAt,
});

const domainParams = {
  type: 'object',
  required: ['app', 'hostname'],
  properties: { app: { type: 'string', maxLength: 64 }, hostname: { type: 'string', maxLength: 253 } },
} as const;

export function registerDomainRoutes(app: FastifyInstance, { store, onRoutingChange, routingApplied, urls }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/domains', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    return store.domains.list(record.id).map((domain) => toResource(record, domain, urls));
  });

  app.get<{ Params: { app: string; hostname: string } }>('/apps/:app/domains/:hostname', { schema: { params: domainParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    const hostname = request.params.hostname.toLowerCase();
    const domain = store.domains.list(record.id).find((candidate) => candidate.hostname === hostname);
    if (!domain) throw notFound('domain', hostname);
    return toResource(record, domain, urls);
  });

  app.post<{ Params: { app: string }; Body: { hostname: string; sni_endpoint?: string | null } }>(
    '/apps/:app/domains',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          required: ['hostname'],
          additionalProperties: false,
          // Heroku's CLI sends `sni_endpoint: null`; naming one needs certificates, which paas does not hold.
          properties: { hostname: { type: 'string', maxLength: 253 }, sni_endpoint: { type: ['string', 'null'], maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const record = store.apps.require(request.params.app);
      if (request.body.sni_endpoint != null) throw invalidParams('No SNI endpoint can be named: this platform holds no certificates for custom domains.');
      const hostname = request.body.hostname.trim().toLowerCase().replace(/\.$/, '');
      if (!HOSTNAME.test(hostname)) throw invalidParams(`Invalid hostname ${JSON.stringify(hostname.slice(0, 100))}: use a domain name like www.example.com.`);
      if (hostname === urls.domain || hostname.endsWith(`.${urls.domain}`)) {
        throw invalidParams(`${hostname} is under the platform's own domain ${urls.domain}: apps get <app>.${urls.domain} already.`);
      }
      const domain = store.domains.add(record, hostname, request.actor.name);
      onRoutingChange();
      await routingApplied();
      return reply.status(201).send(toResource(record, domain, urls));
    },
  );

  app.delete<{ Params: { app: string; hostname: string } }>(
    '/apps/:app/domains/:hostname',
    { schema: { params: domainParams } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const domain = store.domains.remove(record, request.params.hostname.toLowerCase(), request.actor.name);
      onRoutingChange();
      await routingApplied();
      return toResource(record, domain, urls);
    },
  );
}
