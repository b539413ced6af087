import { timingSafeEqual } from 'node:crypto';

import { PaasError } from '@paas/core';
import type { TokenScope, TokenStore, UserRole, UserStore } from '@paas/store';
import { hashToken } from '@paas/store';

import { type FailureLimiter, createFailureLimiter } from './failure-limiter.js';

/** The one who made a request: releases, builds and audit events name them by email. */
export interface Actor {
  /** The user's email: what releases, builds and events record as their actor. */
  readonly name: string;
  readonly userId: string;
  readonly role: UserRole;
  /** The token used; `env` for PAAS_API_TOKEN, which cannot be revoked through the API. */
  readonly tokenId: string;
  readonly scope: TokenScope;
  /** When the token stops working (open streams end then); null: never. */
  readonly expiresAt: string | null;
}

/** PAAS_API_TOKEN's id: it belongs to the first admin and lives in the environment, not the store. */
export const ENV_TOKEN_ID = 'env';

export interface Authenticator {
  /**
   * Resolves the `Authorization` header to an actor, or throws 401; a client (address), or
   * an account named as the Basic user, with too many recent wrong credentials gets 429
   * `rate_limit` before any is checked.
   */
  authenticate(header: string | undefined, client: string): Actor;
}

/** A 429 that says when to come back; the error handler sends it as `Retry-After`. */
export class RateLimited extends PaasError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limit', `Too many failed authentication attempts from this address or for this account: wait ${String(retryAfterSeconds)} s, then try again with a valid token (\`paas login\`).`);
  }
}

export interface Credential {
  readonly token: string;
  /** The Basic user name, when one was sent (git sends the netrc login: the user's email). */
  readonly user?: string;
}

/**
 * Takes `Bearer <token>`, or `Basic` with the token as the password (any user name),
 * which is what git sends after reading ~/.netrc.
 */
export function readCredential(header: string | undefined): Credential | undefined {
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value ? { token: value } : undefined;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || colon === decoded.length - 1) return undefined;
    const user = decoded.slice(0, colon);
    return { token: decoded.slice(colon + 1), ...(user ? { user } : {}) };
  }
  return undefined;
}

/** The limiter's key for an account: only a name that looks like an email counts as one. */
const accountKey = (user: string | undefined): string | undefined => (user?.includes('@') ? `account:${user.toLowerCase()}` : undefined);

export function createAuthenticator(
  stores: { tokens: TokenStore; users: UserStore },
  envToken: string | undefined,
  /** The first admin's email: PAAS_API_TOKEN acts as them. */
  adminEmail: string,
  limiter: FailureLimiter = createFailureLimiter(),
): Authenticator {
  const envHash = envToken === undefined ? undefined : hashToken(envToken);
  const resolve = (token: string): Actor | undefined => {
    if (envHash && timingSafeEqual(hashToken(token), envHash)) {
      const admin = stores.users.find(adminEmail);
      return admin ? { name: admin.email, userId: admin.id, role: admin.role, tokenId: ENV_TOKEN_ID, scope: 'global', expiresAt: null } : undefined;
    }
    const record = stores.tokens.verify(token);
    const user = record ? stores.users.find(record.userId) : undefined;
    if (!record || !user) return undefined;
    return { name: user.email, userId: user.id, role: user.role, tokenId: record.id, scope: record.scope, expiresAt: record.expiresAt };
  };
  return {
    authenticate(header, client) {
      const credential = readCredential(header);
      if (credential !== undefined) {
        const account = accountKey(credential.user);
        const wait = Math.max(limiter.retryAfter(client), account ? limiter.retryAfter(account) : 0);
        if (wait > 0) throw new RateLimited(wait);
        const actor = resolve(credential.token);
        if (actor) return actor;
        // Only wrong credentials count: git's first request carries none, by design.
        limiter.fail(client);
        if (account) limiter.fail(account);
      }
      throw new PaasError(
        'unauthorized',
        credential === undefined
          ? 'No API token given: run `paas login`, or send `Authorization: Bearer <token>`.'
          : 'Invalid, expired or revoked API token: run `paas login` with a valid token.',
      );
    },
  };
}
