/**
 * Certificates in Heroku's words: SNI endpoints (`paas certs`, `certs:add`, `certs:remove`)
 * and automatic certificate management (`/apps/{app}/acm`: `certs:auto*`).
 */
import type { FastifyInstance } from 'fastify';

import { PaasError } from '@paas/core';
import type { AcmResource, DomainCertificateStatus, SniEndpointResource } from '@paas/core';
import type { AppRecord, CertificateRecord, Store } from '@paas/store';

import { checkCertificate } from '../certs/certificate-check.js';
import { certificateServing, nameCovers } from '../certs/certificate-choice.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/** PEM text of a certificate chain or key is a few KB; this bounds what is parsed. */
const MAX_PEM = 64 * 1024;

const toEndpoint = (app: AppRecord, domains: readonly string[], certificate: CertificateRecord): SniEndpointResource => ({
  id: certificate.id,
  app: { id: app.id, name: app.name },
  source: certificate.source,
  domains: domains.filter((domain) => certificate.hostnames.some((name) => nameCovers(name, domain))),
  ssl_cert: { cert_domains: certificate.hostnames, issuer: certificate.issuer, starts_at: certificate.notBefore, expires_at: certificate.notAfter },
  created_at: certificate.createdAt,
});

/** Per custom domain: the certificate serving it and where ACME stands. */
export function describeAcm(store: Store, app: AppRecord, now: number): AcmResource {
  const certificates = store.certificates.list(app.id);
  const hosts = new Map(store.certificates.acmHosts(app.id).map((host) => [host.hostname, host]));
  const domains = store.domains.list(app.id).map((domain): DomainCertificateStatus => {
    const serving = certificateServing(domain, certificates, now);
    const host = app.acm ? hosts.get(domain.hostname) : undefined;
    const expired = serving === undefined && certificates.some((c) => Date.parse(c.notAfter) <= now && c.hostnames.some((name) => nameCovers(name, domain.hostname)));
    let status: DomainCertificateStatus['status'];
    if (host !== undefined && !(host.status === 'cert issued' && serving?.source === 'uploaded')) status = host.status;
    else if (serving !== undefined) status = serving.source === 'acm' ? 'cert issued' : 'uploaded';
    else if (app.acm) status = 'pending';
    else status = expired ? 'expired' : 'none';
    return {
      hostname: domain.hostname,
      status,
      status_reason: host?.status === 'failing' ? host.lastError : null,
      next_attempt_at: host?.nextAttemptAt ?? null,
      certificate: serving === undefined ? null : { id: serving.id, source: serving.source, issuer: serving.issuer, expires_at: serving.notAfter },
    };
  });
  return { acm: app.acm, redirect_https: app.redirectHttps, domains };
}

export function registerCertificateRoutes(app: FastifyInstance, { store, onRoutingChange, routingApplied, acme }: RouteContext): void {
  const domainsOf = (record: AppRecord): string[] => store.domains.list(record.id).map((domain) => domain.hostname);

  app.get<{ Params: { app: string } }>('/apps/:app/sni-endpoints', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    const domains = domainsOf(record);
    return store.certificates.list(record.id).map((certificate) => toEndpoint(record, domains, certificate));
  });

  app.post<{ Params: { app: string }; Body: { certificate_chain: string; private_key: string } }>(
    '/apps/:app/sni-endpoints',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          required: ['certificate_chain', 'private_key'],
          additionalProperties: false,
          properties: { certificate_chain: { type: 'string', maxLength: MAX_PEM }, private_key: { type: 'string', maxLength: MAX_PEM } },
        },
      },
    },
    async (request, reply) => {
      const record = store.apps.require(request.params.app);
      const domains = domainsOf(record);
      const checked = checkCertificate({ chain: request.body.certificate_chain, privateKey: request.body.private_key, domains, now: new Date() });
      const certificate = store.certificates.add(record, checked, request.actor.name);
      onRoutingChange();
      await routingApplied();
      return reply.status(201).send(toEndpoint(record, domains, certificate));
    },
  );

  app.delete<{ Params: { app: string; id: string } }>(
    '/apps/:app/sni-endpoints/:id',
    { schema: { params: { type: 'object', required: ['app', 'id'], properties: { app: { type: 'string', maxLength: 64 }, id: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const certificate = store.certificates.remove(record, request.params.id, request.actor.name);
      onRoutingChange();
      await routingApplied();
      return toEndpoint(record, domainsOf(record), certificate);
    },
  );

  app.get<{ Params: { app: string } }>('/apps/:app/acm', { schema: { params: appParams } }, async (request) =>
    describeAcm(store, store.apps.require(request.params.app), Date.now()),
  );

  app.post<{ Params: { app: string } }>('/apps/:app/acm', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.setAcm(request.params.app, true, request.actor.name);
    acme.kick();
    return describeAcm(store, record, Date.now());
  });

  app.delete<{ Params: { app: string } }>('/apps/:app/acm', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.setAcm(request.params.app, false, request.actor.name);
    onRoutingChange();
    await routingApplied();
    return describeAcm(store, record, Date.now());
  });

  app.patch<{ Params: { app: string }; Body: { acm_refresh: true } }>(
    '/apps/:app/acm',
    {
      schema: {
        params: appParams,
        body: { type: 'object', required: ['acm_refresh'], additionalProperties: false, properties: { acm_refresh: { const: true } } },
      },
    },
    async (request) => {
      const record = store.apps.require(request.params.app);
      if (!record.acm) throw new PaasError('invalid_params', `Automatic certificates are off for ${record.name}: turn them on with paas certs:auto:enable.`);
      acme.refresh(record);
      return describeAcm(store, record, Date.now());
    },
  );
}
