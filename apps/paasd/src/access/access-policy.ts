import { APP_PERMISSIONS } from '@paas/store';
import type { AppPermission, TokenScope, UserRole } from '@paas/store';

/**
 * Who may do what, as pure functions of the request's method and route pattern (Fastify's
 * `routeOptions.url`, e.g. `/apps/:app/config-vars`). One table each, so a new route is
 * governed by the same rules without a check of its own.
 */

/** POSTs that only read: opening a log stream changes nothing. */
const READING_POSTS = new Set(['/apps/:app/log-sessions']);

/** GETs that act: a websocket one-off (`paas run`) opens with a GET and runs a command. */
const ACTING_GETS = new Set(['/apps/:app/run']);

/** Routes of the account itself (its tokens, the users): a `write` token may not change them. */
const ACCOUNT_ROUTES = /^\/(oauth\/|users(\/|$)|account(\/|$))/;

export function isReading(method: string, route: string): boolean {
  if (ACTING_GETS.has(route)) return false;
  return method === 'GET' || method === 'HEAD' || (method === 'POST' && READING_POSTS.has(route));
}

/** Whether a token of this scope may make this request (checked before any handler runs). */
export function scopeAllows(scope: TokenScope, method: string, route: string): boolean {
  if (isReading(method, route)) return true;
  if (scope === 'read') return false;
  return scope === 'global' || !ACCOUNT_ROUTES.test(route);
}

/** App-scoped routes that need more than `view` (matched on the part after `/apps/:app`). */
const NEEDS: readonly (readonly [method: string, suffix: RegExp, permission: AppPermission])[] = [
  // A websocket one-off (`paas run`) opens with a GET.
  ['GET', /^\/run$/, 'deploy'],
  ['POST', /^\/builds$/, 'deploy'],
  ['DELETE', /^\/build-cache$/, 'deploy'],
  ['PATCH', /^\/config-vars$/, 'deploy'],
  ['POST', /^\/releases$/, 'deploy'],
  ['POST', /^\/dynos$/, 'deploy'],
  ['PUT', /^\/buildpack-installations$/, 'deploy'],
  ['PATCH', /^\/formation$/, 'operate'],
  ['DELETE', /^\/dynos(\/:dyno)?$/, 'operate'],
  ['DELETE', /^\/formations\/:dyno$/, 'operate'],
  ['POST', /^\/(dynos|formations)\/:dyno\/actions\/stop$/, 'operate'],
];

/** The permission a request on an app needs: reading needs `view`; changes default to `manage`. */
export function requiredPermission(method: string, appRoute: string): AppPermission {
  for (const [m, suffix, permission] of NEEDS) if (m === method && suffix.test(appRoute)) return permission;
  return isReading(method, `/apps/:app${appRoute}`) ? 'view' : 'manage';
}

/** Permissions are steps: each includes the ones before it (deploy includes view). */
export function normalizePermissions(granted: readonly AppPermission[]): AppPermission[] {
  const top = Math.max(0, ...granted.map((p) => APP_PERMISSIONS.indexOf(p)));
  return APP_PERMISSIONS.slice(0, top + 1);
}

export type AppAccessVerdict = 'allow' | 'hidden' | 'forbidden';

/**
 * Admins reach every app. A member reaches the apps they were given, as far as their
 * permissions go; any other app is `hidden` (answered as if it did not exist, so names
 * of other people's apps do not leak), and a missing permission is `forbidden`.
 */
export function decideAppAccess(role: UserRole, granted: readonly AppPermission[] | undefined, needed: AppPermission): AppAccessVerdict {
  if (role === 'admin') return 'allow';
  if (!granted) return 'hidden';
  return normalizePermissions(granted).includes(needed) ? 'allow' : 'forbidden';
}

/** Routes a member may use that are not about one app; every other such route is for admins. */
const MEMBER_ROUTES = /^\/(apps|users\/~\/apps|account(\/features)?|oauth\/authorizations(\/.*)?|addons\/:addon(\/.*)?)$/;

export function memberMayUse(route: string): boolean {
  return route.startsWith('/apps/:app') || MEMBER_ROUTES.test(route);
}
