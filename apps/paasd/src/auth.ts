import { timingSafeEqual } from 'node:crypto';

import { PaasError } from '@paas/core';
import type { TokenStore } from '@paas/store';
import { hashToken } from '@paas/store';

/** The one who made a request; releases and audit events name them. */
export interface Actor {
  readonly name: string;
}

export interface Authenticator {
  /** Resolves the `Authorization` header to an actor, or throws 401. */
  authenticate(header: string | undefined): Actor;
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

export function createAuthenticator(tokens: TokenStore, envToken: string | undefined): Authenticator {
  const envHash = envToken === undefined ? undefined : hashToken(envToken);
  return {
    authenticate(header) {
      const credential = readCredential(header);
      if (credential !== undefined) {
        if (envHash && timingSafeEqual(hashToken(credential), envHash)) return { name: ENV_TOKEN_ACTOR };
        const record = tokens.verify(credential);
        if (record) return { name: record.name };
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
