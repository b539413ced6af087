import type { FastifyInstance } from 'fastify';

import { notFound } from '@paas/core';
import type { UserRole } from '@paas/store';

import { toAuthorizationResource, toUserResource } from '../access/account-resources.js';
import type { RouteContext } from './context.js';

/** An email as people type it: one @, no spaces or colons (git's Basic user name must not hold one). */
export const EMAIL_PATTERN = '^[^\\s@:]+@[^\\s@:]+$';

const createBody = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', maxLength: 254, pattern: EMAIL_PATTERN },
    role: { type: 'string', enum: ['admin', 'member'] },
  },
} as const;

const userParams = { type: 'object', required: ['user'], properties: { user: { type: 'string', maxLength: 254 } } } as const;

/**
 * The account (`/account`, anyone) and the platform's users (`/users`, admins only: the
 * access check keeps members out). A new user's first token is in the answer, once.
 */
export function registerUserRoutes(app: FastifyInstance, { store, urls, tokenStreams }: RouteContext): void {
  app.get('/account', async (request) => {
    const user = store.users.require(request.actor.userId);
    return { name: user.email, ...toUserResource(user, urls) };
  });

  app.get('/users', async () => store.users.list().map((user) => toUserResource(user, urls)));

  app.post<{ Body: { email: string; role?: UserRole } }>('/users', { schema: { body: createBody } }, async (request, reply) => {
    const user = store.users.create(request.body.email, request.body.role ?? 'member', request.actor.name);
    const { token, record } = store.tokens.create(user.id, { description: 'first token' });
    return reply.status(201).send({ ...toUserResource(user, urls), authorization: toAuthorizationResource(record, user, urls, token) });
  });

  app.delete<{ Params: { user: string } }>('/users/:user', { schema: { params: userParams } }, async (request) => {
    // Heroku-shaped ids (on releases and apps) name users too.
    const user = store.users.find(request.params.user) ?? store.users.list().find((u) => toUserResource(u, urls).id === request.params.user);
    if (!user) throw notFound('user', request.params.user);
    const tokens = store.tokens.list(user.id);
    const removed = store.users.remove(user.id, request.actor.name);
    // Their tokens went with them (a cascade): end what those tokens hold open.
    for (const token of tokens) tokenStreams.endAll(token.id);
    return toUserResource(removed, urls);
  });
}
