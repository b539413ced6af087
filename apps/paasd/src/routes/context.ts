import type { FastifyRequest } from 'fastify';

import type { RepoStore } from '@paas/git';
import type { ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { AppLogBuffer } from '../app-log-buffer.js';
import type { Actor } from '../auth.js';
import type { BuildService } from '../deploy/build-service.js';
import type { ReleaseDeployer } from '../deploy/release-deployer.js';
import type { PublicUrls } from '../resources.js';

/** What the API routes share; built once in `buildServer`. */
export interface RouteContext {
  readonly store: Store;
  readonly urls: PublicUrls;
  readonly repos: RepoStore;
  readonly builds: BuildService;
  readonly manager: ProcessManager;
  readonly deployer: ReleaseDeployer;
  /** Apps, domains or maintenance changed: the router's table must follow. */
  readonly onRoutingChange: () => void;
  readonly appLogs: AppLogBuffer;
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
