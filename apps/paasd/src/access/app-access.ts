import { PaasError, notFound } from '@paas/core';
import type { AppPermission, Store } from '@paas/store';

import type { Actor } from '../auth.js';
import { decideAppAccess, memberMayUse, requiredPermission, scopeAllows } from './access-policy.js';

/**
 * The one gate every authenticated request passes (the API's hook, git's endpoint):
 * the token's scope, then who may reach which app. Handlers need no checks of their own.
 */
export interface AppAccess {
  /** Throws 403 or 404 when the actor may not make this request; `route` is the route pattern. */
  authorize(actor: Actor, method: string, route: string, params: Readonly<Record<string, string | undefined>>): void;
  /** For git over HTTP: a push is a change that needs `deploy`, a fetch needs `view`. Throws as `authorize`. */
  authorizeGit(actor: Actor, app: string, push: boolean): void;
  /** Whether the actor may see the app (lists show only these). */
  canSee(actor: Actor, appId: string): boolean;
}

export function createAppAccess(store: Pick<Store, 'apps' | 'access' | 'addons'>): AppAccess {
  const checkApp = (actor: Actor, name: string, needed: AppPermission): void => {
    const app = store.apps.get(name);
    // A missing app is the handler's 404 to give, with its own words.
    if (!app) return;
    const verdict = decideAppAccess(actor.role, actor.role === 'admin' ? undefined : store.access.permissionsOf(app.id, actor.userId), needed);
    // The same answer as for an app that does not exist: a member learns nothing of others' apps.
    if (verdict === 'hidden') throw notFound('app', name);
    if (verdict === 'forbidden') {
      throw new PaasError('forbidden', `${needed} permission on ${name} is needed for this: ask an admin to run \`paas access:add ${actor.name} -a ${name} --permissions ${needed}\`.`);
    }
  };
  return {
    authorize(actor, method, route, params) {
      if (!scopeAllows(actor.scope, method, route)) {
        throw new PaasError(
          'forbidden',
          actor.scope === 'read'
            ? 'This token is read-only: make changes with a write or global token (`paas authorizations:create --scope write`).'
            : 'This token may not change the account: use a global token (`paas authorizations:create --scope global`).',
        );
      }
      if (actor.role === 'admin') return;
      if (!memberMayUse(route)) throw new PaasError('forbidden', 'Only admins may do this: ask an admin of this platform (`paas users` lists them).');
      if (route.startsWith('/apps/:app') && params.app !== undefined) {
        checkApp(actor, params.app, requiredPermission(method, route.slice('/apps/:app'.length)));
      } else if (route.startsWith('/addons/:addon') && params.addon !== undefined) {
        const addon = store.addons.get(params.addon);
        if (addon) {
          try {
            checkApp(actor, addon.appName, method === 'GET' || method === 'HEAD' ? 'view' : 'manage');
          } catch (error) {
            // An add-on of a hidden app is itself hidden.
            if (error instanceof PaasError && error.id === 'not_found') throw notFound('add-on', params.addon);
            throw error;
          }
        }
      }
    },
    authorizeGit(actor, app, push) {
      if (push && !scopeAllows(actor.scope, 'POST', '/apps/:app/builds')) {
        throw new PaasError('forbidden', 'This token is read-only: push with a write or global token (`paas authorizations:create --scope write`).');
      }
      checkApp(actor, app, push ? 'deploy' : 'view');
    },
    canSee: (actor, appId) => actor.role === 'admin' || store.access.permissionsOf(appId, actor.userId) !== undefined,
  };
}
