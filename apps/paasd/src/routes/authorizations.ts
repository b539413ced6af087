import type { FastifyInstance, FastifyRequest } from 'fastify';

import { PaasError, notFound } from '@paas/core';
import type { TokenRecord, TokenScope } from '@paas/store';

import { toAuthorizationResource } from '../access/account-resources.js';
import type { RouteContext } from './context.js';

/** Longest lifetime a token may be given: ten years, in seconds. */
export const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600;

const SCOPES = ['read', 'write', 'global'] as const;

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    description: { type: 'string', maxLength: 200 },
    // Heroku's CLI sends a list of scopes; paas takes one, as a list or alone.
    scope: { anyOf: [{ type: 'string', enum: SCOPES }, { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string', enum: SCOPES } }] },
    expires_in: { type: 'integer', minimum: 1, maximum: MAX_EXPIRES_IN },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** A token may only make tokens that can do no more than itself. */
const SCOPE_RANK: Record<TokenScope, number> = { read: 0, write: 1, global: 2 };

/**
 * Heroku's `/oauth/authorizations`: the caller's API tokens. Each is stored as a hash, so
 * the secret is shown only when made or rotated. Revoking or rotating one ends at once the
 * log streams and one-offs it opened.
 */
export function registerAuthorizationRoutes(app: FastifyInstance, { store, urls, tokenStreams }: RouteContext): void {
  const own = (request: FastifyRequest<{ Params: { id: string } }>): TokenRecord => {
    const record = store.tokens.get(request.params.id);
    // Admins may revoke anyone's token; other people's tokens do not exist for members.
    if (!record || (record.userId !== request.actor.userId && request.actor.role !== 'admin')) throw notFound('authorization', request.params.id);
    return record;
  };
  const resource = (record: TokenRecord, token: string | null = null) =>
    toAuthorizationResource(record, store.users.require(record.userId), urls, token);

  app.get('/oauth/authorizations', async (request) => store.tokens.list(request.actor.userId).map((record) => resource(record)));

  app.post<{ Body: { description?: string; scope?: TokenScope | TokenScope[]; expires_in?: number } | null }>(
    '/oauth/authorizations',
    { schema: { body: createBody } },
    async (request, reply) => {
      const body = request.body ?? {};
      const scope = (Array.isArray(body.scope) ? body.scope[0] : body.scope) ?? 'global';
      if (SCOPE_RANK[scope] > SCOPE_RANK[request.actor.scope]) {
        throw new PaasError('forbidden', `A ${request.actor.scope} token cannot make a ${scope} token: use a token with that scope or more.`);
      }
      const { token, record } = store.tokens.create(request.actor.userId, {
        description: body.description ?? '',
        scope,
        expiresAt: body.expires_in === undefined ? null : new Date(Date.now() + body.expires_in * 1000),
      });
      store.events.record(null, request.actor.name, 'authorization.create', { id: record.id, scope });
      return reply.status(201).send(resource(record, token));
    },
  );

  app.get<{ Params: { id: string } }>('/oauth/authorizations/:id', { schema: { params: idParams } }, async (request) => resource(own(request)));

  app.delete<{ Params: { id: string } }>('/oauth/authorizations/:id', { schema: { params: idParams } }, async (request) => {
    const record = own(request);
    store.tokens.revoke(record.id);
    const ended = tokenStreams.endAll(record.id);
    store.events.record(null, request.actor.name, 'authorization.revoke', { id: record.id, streams_ended: ended });
    return resource(record);
  });

  // Heroku's name for a new secret on the same authorization (`heroku authorizations:rotate`).
  app.post<{ Params: { id: string } }>('/oauth/authorizations/:id/actions/regenerate-tokens', { schema: { params: idParams } }, async (request, reply) => {
    const rotated = store.tokens.rotate(own(request).id);
    if (!rotated) throw notFound('authorization', request.params.id);
    tokenStreams.endAll(rotated.record.id);
    store.events.record(null, request.actor.name, 'authorization.rotate', { id: rotated.record.id });
    return reply.status(201).send(resource(rotated.record, rotated.token));
  });
}
