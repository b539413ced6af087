import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';

import type { FastifyInstance } from 'fastify';

import { PaasError } from '@paas/core';
import { DEPLOY_BRANCHES, createPushServer, handleGitHttp } from '@paas/git';
import type { Push, PushServer, RepoStore } from '@paas/git';

import type { AppAccess } from './access/app-access.js';
import { type Actor, type Authenticator, RateLimited } from './auth.js';
import type { BuildService } from './deploy/build-service.js';
import type { ReviewApps } from './deploy/review-apps.js';
import type { Logger } from './logger.js';

const GIT_BODY_TYPES = ['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'];

/** The socket through which pre-receive hooks hand pushes to paasd. */
/** For each push ticket, the end of the HTTP request that carries the push. */
export type PushRequests = Map<string, Promise<void>>;

export async function startPushServer(options: {
  socketPath: string;
  repos: RepoStore;
  builds: BuildService;
  logger: Logger;
  requests: PushRequests;
  reviewApps?: ReviewApps;
}): Promise<PushServer> {
  await mkdir(dirname(options.socketPath), { recursive: true, mode: 0o700 });
  const server = createPushServer({
    socketPath: options.socketPath,
    onPush: (push) => handlePush(push, options),
    reviewBranches: (app) => options.reviewApps?.enabledFor(app) === true,
    onError: (error, { app }) => options.logger.error({ err: error, app }, 'push failed'),
  });
  await server.listen();
  return server;
}

async function handlePush(
  push: Push,
  { repos, builds, requests, reviewApps }: { repos: RepoStore; builds: BuildService; requests: PushRequests; reviewApps?: ReviewApps | undefined },
): Promise<number> {
  // Deleted branches (the policy lets only review-app branches go): their review apps go too.
  for (const deleted of push.deletes) {
    if (reviewApps && (await reviewApps.remove(push, deleted)) !== 0) return 1;
  }
  // A tag, or nothing that deploys: git stores it, nothing is built.
  if (!push.deploy || !push.source) return 0;
  const deploy = push.deploy;
  // Checked under the build lock: had another push moved the branch meanwhile, git
  // would refuse this ref update after we deployed it.
  const precondition = async (): Promise<string | undefined> =>
    (await repos.readRef(push.app, deploy.ref)) === (/^0+$/.test(deploy.oldRev) ? null : deploy.oldRev)
      ? undefined
      : ` !     ${deploy.ref} moved while this push waited (someone else pushed): fetch, rebase and push again.\n`;
  if (!(DEPLOY_BRANCHES as readonly string[]).includes(deploy.ref)) {
    return reviewApps ? reviewApps.deploy(push, deploy, { precondition, holdLockUntil: requests.get(push.ticketId) ?? Promise.resolve() }) : 1;
  }
  const result = await builds.start({
    app: push.app,
    actor: push.user ?? 'git',
    source: push.source,
    commit: deploy.newRev,
    output: push.output,
    signal: push.signal,
    holdLockUntil: requests.get(push.ticketId) ?? Promise.resolve(),
    precondition,
  }).done;
  return result.ok ? 0 : 1;
}

/** `/<app>.git/…` over git's smart HTTP protocol, authenticated with the API token as password. */
export function registerGitRoutes(
  app: FastifyInstance,
  deps: {
    repos: RepoStore;
    authenticator: Authenticator;
    access: AppAccess;
    pushServer: PushServer;
    pushRequests: PushRequests;
    logger: Logger;
    shutdown: AbortSignal;
  },
): void {
  app.addContentTypeParser(GIT_BODY_TYPES, (_request, payload, done) => {
    done(null, payload);
  });
  app.all<{ Params: { app: string; '*': string } }>('/:app.git/*', async (request, reply) => {
    const name = request.params.app;
    const path = `/${request.params['*']}`;
    const query = request.raw.url?.split('?')[1] ?? '';
    const push = path === '/git-receive-pack' || new URLSearchParams(query).get('service') === 'git-receive-pack';
    const missing = `No app named ${name.slice(0, 40)}: create it with \`paas apps:create\`.\n`;
    let who: Actor;
    try {
      who = deps.authenticator.authenticate(request.headers.authorization, request.ip);
      deps.access.authorizeGit(who, name, push);
    } catch (error) {
      if (error instanceof RateLimited) {
        return reply.status(429).header('retry-after', String(error.retryAfterSeconds)).type('text/plain').send(`${error.message}\n`);
      }
      if (error instanceof PaasError && error.id === 'unauthorized') {
        return reply.status(401).header('www-authenticate', 'Basic realm="paas"').type('text/plain').send(`${error.message}\n`);
      }
      // An app hidden from this user reads exactly as one that does not exist.
      if (error instanceof PaasError && error.id === 'not_found') return reply.status(404).type('text/plain').send(missing);
      if (error instanceof PaasError && error.id === 'forbidden') return reply.status(403).type('text/plain').send(`${error.message}\n`);
      throw error;
    }
    const actor = who.name;
    if (!(await deps.repos.exists(name).catch(() => false))) return reply.status(404).type('text/plain').send(missing);
    const ticket = request.method === 'POST' && path === '/git-receive-pack' ? deps.pushServer.authorize(name, { user: actor }) : undefined;
    let requestDone = (): void => undefined;
    if (ticket) {
      deps.pushRequests.set(ticket.id, new Promise<void>((resolve) => (requestDone = resolve)));
    }
    const settle = (): void => {
      ticket?.revoke();
      if (ticket) deps.pushRequests.delete(ticket.id);
      requestDone();
    };
    const aborter = new AbortController();
    const abort = (): void => aborter.abort();
    deps.shutdown.addEventListener('abort', abort, { once: true });
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort();
    });
    try {
      const response = await handleGitHttp(
        { method: request.method, path, query, headers: request.headers, body: (request.body as Readable | undefined) ?? null },
        { repoPath: deps.repos.pathOf(name), remoteUser: actor, ...(ticket ? { extraEnv: ticket.env } : {}), signal: aborter.signal },
      );
      void response.exited.then((exit) => {
        settle();
        deps.shutdown.removeEventListener('abort', abort);
        if (exit.code !== 0) deps.logger.warn({ app: name, code: exit.code, signal: exit.signal, stderr: exit.stderr }, 'git backend failed');
      });
      return reply.status(response.status).headers(response.headers).send(response.body);
    } catch (error) {
      settle();
      deps.shutdown.removeEventListener('abort', abort);
      throw error;
    }
  });
}
