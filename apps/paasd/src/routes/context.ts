import type { FastifyRequest } from 'fastify';

import type { RepoStore } from '@paas/git';
import type { Store } from '@paas/store';

import type { Actor } from '../auth.js';
import type { BuildService } from '../deploy/build-service.js';
import type { PublicUrls } from '../resources.js';

/** What the API routes share; built once in `buildServer`. */
export interface RouteContext {
  readonly store: Store;
  readonly urls: PublicUrls;
  readonly repos: RepoStore;
  readonly builds: BuildService;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

/** Where this API was reached, for URLs we hand back (git remotes). */
export function apiOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export const appParams = {
  type: 'object',
  required: ['app'],
  properties: { app: { type: 'string', maxLength: 64 } },
} as const;
