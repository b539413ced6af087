import type { FastifyInstance } from 'fastify';

import { notFound } from '@paas/core';
import { APP_PERMISSIONS } from '@paas/store';
import type { AppPermission } from '@paas/store';

import { normalizePermissions } from '../access/access-policy.js';
import { toCollaboratorResource } from '../access/account-resources.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const permissionList = { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', enum: APP_PERMISSIONS } } as const;

const addBody = {
  type: 'object',
  required: ['user'],
  additionalProperties: false,
  properties: {
    user: { type: 'string', maxLength: 254 },
    permissions: permissionList,
    // Heroku's CLI sends it: paas sends no invitations, so there is nothing to silence.
    silent: { type: 'boolean' },
  },
} as const;

const collaboratorParams = {
  type: 'object',
  required: ['app', 'collaborator'],
  properties: { ...appParams.properties, collaborator: { type: 'string', maxLength: 254 } },
} as const;

/**
 * Heroku's collaborators: the first admin is each app's owner; members given the app are its
 * collaborators, with the permissions they were given (each includes the ones before it).
 */
export function registerCollaboratorRoutes(app: FastifyInstance, { store, urls, tokenStreams }: RouteContext): void {
  const requireUser = (key: string) => {
    const user = store.users.find(key);
    if (!user) throw notFound('user', `${key} (add them first with \`paas users:add ${key}\`)`);
    return user;
  };

  app.get<{ Params: { app: string } }>('/apps/:app/collaborators', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    const owner = store.users.list().find((user) => user.role === 'admin');
    const collaborators = store.access.list(record.id).filter((access) => access.userId !== owner?.id);
    return [
      ...(owner ? [toCollaboratorResource(record, { email: owner.email, permissions: APP_PERMISSIONS, createdAt: record.createdAt, updatedAt: record.updatedAt }, 'owner', urls)] : []),
      ...collaborators.map((access) => toCollaboratorResource(record, access, 'collaborator', urls)),
    ];
  });

  app.post<{ Params: { app: string }; Body: { user: string; permissions?: AppPermission[] } }>(
    '/apps/:app/collaborators',
    { schema: { params: appParams, body: addBody } },
    async (request, reply) => {
      const record = store.apps.require(request.params.app);
      const user = requireUser(request.body.user);
      const access = store.access.grant(record, user, normalizePermissions(request.body.permissions ?? ['view', 'deploy']), request.actor.name);
      return reply.status(201).send(toCollaboratorResource(record, access, 'collaborator', urls));
    },
  );

  app.patch<{ Params: { app: string; collaborator: string }; Body: { permissions: AppPermission[] } }>(
    '/apps/:app/collaborators/:collaborator',
    { schema: { params: collaboratorParams, body: { type: 'object', required: ['permissions'], additionalProperties: false, properties: { permissions: permissionList } } } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const user = requireUser(request.params.collaborator);
      if (!store.access.permissionsOf(record.id, user.id)) throw notFound('collaborator', request.params.collaborator);
      return toCollaboratorResource(record, store.access.grant(record, user, normalizePermissions(request.body.permissions), request.actor.name), 'collaborator', urls);
    },
  );

  app.delete<{ Params: { app: string; collaborator: string } }>('/apps/:app/collaborators/:collaborator', { schema: { params: collaboratorParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    const user = requireUser(request.params.collaborator);
    const found = store.access.list(record.id).find((access) => access.userId === user.id);
    if (!found) throw notFound('collaborator', request.params.collaborator);
    store.access.revoke(record, user, request.actor.name);
    // Access taken away ends what they hold open on the app (an admin's reach is not a grant).
    if (user.role === 'member') tokenStreams.endFor(user.id, record.name);
    return toCollaboratorResource(record, found, 'collaborator', urls);
  });
}
