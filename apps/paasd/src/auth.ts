import { timingSafeEqual } from 'node:crypto';

import { PaasError } from '@paas/core';
import type { TokenStore } from '@paas/store';
import { hashToken } from '@paas/store';

import { type FailureLimiter, createFailureLimiter } from './failure-limiter.js';

/** The one who made a request; releases and audit events name them. */
export interface Actor {
  readonly name: string;
}

export interface Authenticator {
  /**
   * Resolves the `Authorization` header to an actor, or throws 401; a client (address)
   * with too many recent wrong credentials gets 429 `rate_limit` before any is checked.
   */
  authenticate(header: string | undefined, client: string): Actor;
}

/** A 429 that says when to come back; the error handler sends it as `Retry-After`. */
export class RateLimited extends PaasError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limit', `Too many failed authentication attempts from this address: wait ${String(retryAfterSeconds)} s, then try again with a valid token (\`paas login\`).`);
  }
}

export const ENV_TOKEN_ACTOR = 'admin';

/**
 * Takes `Bearer <token>`, or `Basic` with the token as the password (any user name),
 * which is what git sends after reading ~/.netrc.
 */
export function readCredential(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value || undefined;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
  }
  return undefined;
}

export function createAuthenticator(
  tokens: TokenStore,
  envToken: string | undefined,
  limiter: FailureLimiter = createFailureLimiter(),
): Authenticator {
  const envHash = envToken === undefined ? undefined : hashToken(envToken);
  return {
    authenticate(header, client) {
      const credential = readCredential(header);
      if (credential !== undefined) {
        const wait = limiter.retryAfter(client);
        if (wait > 0) throw new RateLimited(wait);
        if (envHash && timingSafeEqual(hashToken(credential), envHash)) return { name: ENV_TOKEN_ACTOR };
        const record = tokens.verify(credential);
        if (record) return { name: record.name };
        // Only wrong credentials count: git's first request carries none, by design.
        limiter.fail(client);
      }
      throw new PaasError(
        'unauthorized',
        credential === undefined
          ? 'No API token given: run `paas login`, or send `Authorization: Bearer <token>`.'
          : 'Invalid API token: run `paas login` with a valid token.',
      );
    },
  };
}
