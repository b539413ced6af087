import type { AuthorizationResource, CollaboratorResource, NewUserResource, UserResource } from '@paas/core';

import { appPath, type Calls } from './calls.js';

/** Users, their API tokens, and who may work on an app. */
export interface TeamMethods {
  /** The platform's users (admins only). */
  listUsers(): Promise<UserResource[]>;
  /** Adds a user; the answer carries their first token, shown this once. */
  addUser(email: string, role?: 'admin' | 'member'): Promise<NewUserResource>;
  removeUser(user: string): Promise<UserResource>;
  /** The caller's API tokens (Heroku's OAuth authorizations). */
  listAuthorizations(): Promise<AuthorizationResource[]>;
  createAuthorization(input: { description?: string; scope?: 'read' | 'write' | 'global'; expires_in?: number }): Promise<AuthorizationResource>;
  revokeAuthorization(id: string): Promise<AuthorizationResource>;
  /** A new secret for the same authorization; the old one stops working. */
  rotateAuthorization(id: string): Promise<AuthorizationResource>;
  listCollaborators(app: string): Promise<CollaboratorResource[]>;
  addCollaborator(app: string, user: string, permissions?: readonly string[]): Promise<CollaboratorResource>;
  removeCollaborator(app: string, user: string): Promise<CollaboratorResource>;
}

export function teamMethods({ send, get }: Calls): TeamMethods {
  return {
    listUsers: () => get('/users'),
    addUser: async (email, role) => (await send<NewUserResource>({ method: 'POST', path: '/users', body: { email, ...(role ? { role } : {}) } })).body,
    removeUser: async (user) => (await send<UserResource>({ method: 'DELETE', path: `/users/${encodeURIComponent(user)}` })).body,
    listAuthorizations: () => get('/oauth/authorizations'),
    createAuthorization: async (input) => (await send<AuthorizationResource>({ method: 'POST', path: '/oauth/authorizations', body: input })).body,
    revokeAuthorization: async (id) => (await send<AuthorizationResource>({ method: 'DELETE', path: `/oauth/authorizations/${encodeURIComponent(id)}` })).body,
    rotateAuthorization: async (id) =>
      (await send<AuthorizationResource>({ method: 'POST', path: `/oauth/authorizations/${encodeURIComponent(id)}/actions/regenerate-tokens` })).body,
    listCollaborators: (app) => get(`${appPath(app)}/collaborators`),
    addCollaborator: async (app, user, permissions) =>
      (await send<CollaboratorResource>({ method: 'POST', path: `${appPath(app)}/collaborators`, body: { user, ...(permissions ? { permissions } : {}) } })).body,
    removeCollaborator: async (app, user) =>
      (await send<CollaboratorResource>({ method: 'DELETE', path: `${appPath(app)}/collaborators/${encodeURIComponent(user)}` })).body,
  };
}
