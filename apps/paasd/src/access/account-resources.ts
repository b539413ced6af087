import type { AuthorizationResource, CollaboratorResource, PermissionResource, UserResource } from '@paas/core';
import type { AppAccessRecord, AppPermission, AppRecord, TokenRecord, UserRecord } from '@paas/store';
import { APP_PERMISSIONS } from '@paas/store';

import { stableId, userRef } from '../resources.js';
import type { PublicUrls } from '../resources.js';

const PERMISSION_WORDS: Record<AppPermission, string> = {
  view: 'See the app: its config, releases, logs, processes and add-ons.',
  deploy: 'Push code, change config, roll back and run one-off commands.',
  operate: 'Scale, restart and stop processes.',
  manage: 'Rename or delete the app; change its domains, certificates, drains, add-ons and collaborators.',
};

export const permissionResources = (names: readonly AppPermission[]): PermissionResource[] =>
  names.map((name) => ({ name, description: PERMISSION_WORDS[name] }));

/** Users are named by the id Heroku's clients already saw for their email (on releases and apps). */
export function toUserResource(user: UserRecord, urls: Pick<PublicUrls, 'domain'>): UserResource {
  return { id: userRef(user.email, urls).id, email: user.email, role: user.role, created_at: user.createdAt, updated_at: user.updatedAt };
}

/** `token` is the secret, given only when the token was just made or rotated. */
export function toAuthorizationResource(record: TokenRecord, user: UserRecord, urls: Pick<PublicUrls, 'domain'>, token: string | null = null, at = Date.now()): AuthorizationResource {
  const expiresIn = record.expiresAt === null ? null : Math.max(0, Math.floor((Date.parse(record.expiresAt) - at) / 1000));
  return {
    id: record.id,
    description: record.description,
    scope: [record.scope],
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    access_token: { id: record.id, token, expires_in: expiresIn },
    user: userRef(user.email, urls),
    grant: null,
    client: null,
    refresh_token: null,
    session: null,
    last_used_at: record.lastUsedAt,
    expires_at: record.expiresAt,
  };
}

export function toCollaboratorResource(app: AppRecord, access: Pick<AppAccessRecord, 'email' | 'permissions' | 'createdAt' | 'updatedAt'>, role: 'owner' | 'collaborator', urls: Pick<PublicUrls, 'domain'>): CollaboratorResource {
  const user = userRef(access.email, urls);
  return {
    id: stableId('collaborator', `${app.id}/${user.id}`),
    app: { id: app.id, name: app.name },
    user: { ...user, federated: false },
    role,
    permissions: permissionResources(role === 'owner' ? APP_PERMISSIONS : access.permissions),
    created_at: access.createdAt,
    updated_at: access.updatedAt,
  };
}
