import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';

import type { FastifyInstance } from 'fastify';

import { BUILD_ID_HEADER, notFound } from '@paas/core';
import type { BuildResource } from '@paas/core';
import type { AppRecord, BuildRecord, Store } from '@paas/store';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const UPLOAD_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar', 'application/octet-stream'];
/** Source uploads stream to the builder, which enforces its own limits on what unpacks. */
const UPLOAD_LIMIT = 1024 ** 3;

/** `versions`: release id → version, read once per request rather than once per build. */
function toBuildResource(app: AppRecord, build: BuildRecord, versions: ReadonlyMap<string, number>): BuildResource {
  const version = build.releaseId ? versions.get(build.releaseId) : undefined;
  return {
    id: build.id,
    app: { id: app.id, name: app.name },
    status: build.status,
    source_blob: { version: build.sourceCommit },
    slug: build.slugId ? { id: build.slugId } : null,
    release: build.releaseId && version !== undefined ? { id: build.releaseId, version } : null,
    actor: build.actor,
    app_json: build.appJson,
    created_at: build.createdAt,
    updated_at: build.updatedAt,
    finished_at: build.finishedAt,
  };
}

const buildParams = {
  type: 'object',
  required: ['app', 'build'],
  properties: { app: { type: 'string', maxLength: 64 }, build: { type: 'string', maxLength: 64 } },
} as const;

const releaseVersions = (store: Store, appName: string): Map<string, number> =>
  new Map(store.deploys.listReleases(appName).map((release) => [release.id, release.version]));

export function registerBuildRoutes(app: FastifyInstance, { store, builds }: RouteContext): void {
  const findBuild = (appName: string, id: string): { record: AppRecord; build: BuildRecord } => {
    const record = store.apps.require(appName);
    const build = store.builds.get(id);
    if (!build || build.appId !== record.id) throw notFound('build', id);
    return { record, build };
  };

  app.get<{ Params: { app: string } }>('/apps/:app/builds', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    const versions = releaseVersions(store, record.name);
    return store.builds.list(record.id).map((build) => toBuildResource(record, build, versions));
  });

  app.get<{ Params: { app: string; build: string } }>('/apps/:app/builds/:build', { schema: { params: buildParams } }, async (request) => {
    const { record, build } = findBuild(request.params.app, request.params.build);
    return toBuildResource(record, build, releaseVersions(store, record.name));
  });

  app.get<{ Params: { app: string; build: string } }>('/apps/:app/builds/:build/output', { schema: { params: buildParams } }, async (request, reply) => {
    const { build } = findBuild(request.params.app, request.params.build);
    // A build under way answers with what it has printed so far.
    return reply.type('text/plain; charset=utf-8').send(builds.liveOutput(build.id) ?? store.builds.output(build.id));
  });

  app.delete<{ Params: { app: string } }>('/apps/:app/build-cache', { schema: { params: appParams } }, async (request, reply) => {
    const record = store.apps.require(request.params.app);
    await builds.purgeCache(record.name);
    store.events.record(record.name, request.actor.name, 'build_cache.purge');
    return reply.status(204).send();
  });

  // Source upload (`paas deploy`): the same build as a push, its output streamed back.
  void app.register(async (uploads) => {
    uploads.addContentTypeParser(UPLOAD_TYPES, { bodyLimit: UPLOAD_LIMIT }, (_request, payload, done) => {
      done(null, payload);
    });
    uploads.post<{ Params: { app: string } }>('/apps/:app/builds', { schema: { params: appParams } }, async (request, reply) => {
      const record = store.apps.require(request.params.app);
      const output = new PassThrough();
      const aborter = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) aborter.abort();
      });
      const started = builds.start({
        app: record.name,
        actor: request.actor.name,
        source: request.body as Readable,
        commit: null,
        output,
        signal: aborter.signal,
      });
      void started.done.then(() => output.end());
      return reply
        .status(201)
        .header(BUILD_ID_HEADER, started.buildId)
        .type('text/plain; charset=utf-8')
        .send(output);
    });
  });
}
