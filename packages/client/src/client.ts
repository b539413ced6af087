import type {
  AccountResource,
  AppResource,
  BuildpackInstallationResource,
  BuildResource,
  ConfigVarsResource,
  FormationResource,
  ReleaseResource,
} from '@paas/core';
import { RELEASE_VERSION_HEADER } from '@paas/core';

import { ApiError } from './api-error.js';
import { uploadSource } from './build-upload.js';
import type { BuildStream } from './build-upload.js';
import { createTransport } from './transport.js';
import type { Send, Transport, TransportOptions } from './transport.js';

export interface ClientOptions {
  /** e.g. `http://localhost:5100`; a trailing slash is fine. */
  readonly baseUrl: string;
  readonly token: string;
  /** Defaults to the global fetch; tests pass a fake. */
  readonly fetch?: typeof globalThis.fetch;
  readonly userAgent?: string;
  /** Per request; defaults to 60 s. */
  readonly timeoutMs?: number;
}

export interface ConfigVarsUpdate {
  readonly vars: ConfigVarsResource;
  /** The release the change made, or undefined when nothing changed. */
  readonly releaseVersion: number | undefined;
}

export interface ReleasePageOptions {
  /** Releases per page (the server caps it). */
  readonly max?: number;
  /** A `Next-Range` value from the previous page, sent as the `Range` header. */
  readonly range?: string;
}

export interface ReleasePage {
  /** Newest first. */
  readonly releases: ReleaseResource[];
  /** Pass as `range` to read the next page; undefined on the last page. */
  readonly nextRange: string | undefined;
}

export interface FormationUpdateInput {
  readonly type: string;
  /** A number sets the quantity; `"+1"` / `"-2"` change it. */
  readonly quantity?: number | string;
  readonly size?: string;
}

export interface PaasClient {
  health(): Promise<{ status: string }>;
  getAccount(): Promise<AccountResource>;
  listApps(): Promise<AppResource[]>;
  createApp(input?: { name?: string }): Promise<AppResource>;
  getApp(app: string): Promise<AppResource>;
  deleteApp(app: string): Promise<AppResource>;
  getConfigVars(app: string): Promise<ConfigVarsResource>;
  /** A string sets a key, null removes it. */
  updateConfigVars(app: string, patch: Readonly<Record<string, string | null>>): Promise<ConfigVarsUpdate>;
  listReleases(app: string, options?: ReleasePageOptions): Promise<ReleasePage>;
  /** Follows `Next-Range` until the last page; newest first. */
  listAllReleases(app: string, options?: { pageSize?: number }): Promise<ReleaseResource[]>;
  /** `version` may be 7, "v7" or the release id. */
  getRelease(app: string, version: string | number): Promise<ReleaseResource>;
  /** Makes a new release copying the target's slug and config; resolves with the new release. */
  rollback(app: string, release: string | number): Promise<ReleaseResource>;
  listFormation(app: string): Promise<FormationResource[]>;
  updateFormation(app: string, updates: readonly FormationUpdateInput[]): Promise<FormationResource[]>;
  /** Newest first. */
  listBuilds(app: string): Promise<BuildResource[]>;
  getBuild(app: string, id: string): Promise<BuildResource>;
  /** The whole output of a build, as the user saw it. */
  getBuildOutput(app: string, id: string): Promise<string>;
  /**
   * Uploads a gzipped tarball of the source and starts a build of it; resolves once
   * paasd answers, with the output still streaming.
   */
  createBuild(app: string, source: AsyncIterable<Uint8Array>): Promise<BuildStream>;
  purgeBuildCache(app: string): Promise<void>;
  /** In the order they run. */
  listBuildpackInstallations(app: string): Promise<BuildpackInstallationResource[]>;
  /** Replaces the whole list (an empty one clears it); resolves with the new list. */
  updateBuildpackInstallations(app: string, buildpacks: readonly string[]): Promise<BuildpackInstallationResource[]>;
}

export function createClient(options: ClientOptions): PaasClient {
  const transport = createTransport(transportOptions(options));
  const { send } = transport;
  const get = async <T>(path: string): Promise<T> => (await send<T>({ method: 'GET', path })).body;
  const listReleases = (app: string, page: ReleasePageOptions = {}): Promise<ReleasePage> =>
    readReleasePage(send, app, page);
  return {
    health: () => get('/healthz'),
    getAccount: () => get('/account'),
    listApps: () => get('/apps'),
    createApp: async (input = {}) => (await send<AppResource>({ method: 'POST', path: '/apps', body: input })).body,
    getApp: (app) => get(appPath(app)),
    deleteApp: async (app) => (await send<AppResource>({ method: 'DELETE', path: appPath(app) })).body,
    getConfigVars: (app) => get(`${appPath(app)}/config-vars`),
    updateConfigVars: (app, patch) => updateConfigVars(send, app, patch),
    listReleases,
    listAllReleases: (app, { pageSize } = {}) => followPages(listReleases, app, pageSize),
    getRelease: (app, version) => get(`${appPath(app)}/releases/${encodeURIComponent(String(version))}`),
    rollback: async (app, release) =>
      (await send<ReleaseResource>({ method: 'POST', path: `${appPath(app)}/releases`, body: { release } })).body,
    listFormation: (app) => get(`${appPath(app)}/formation`),
    updateFormation: async (app, updates) =>
      (await send<FormationResource[]>({ method: 'PATCH', path: `${appPath(app)}/formation`, body: { updates } })).body,
    listBuilds: (app) => get(`${appPath(app)}/builds`),
    getBuild: (app, id) => get(buildPath(app, id)),
    getBuildOutput: (app, id) => readBuildOutput(transport, `${buildPath(app, id)}/output`),
    createBuild: (app, source) => uploadSource(transport, `${appPath(app)}/builds`, source),
    purgeBuildCache: async (app) => {
      await send({ method: 'DELETE', path: `${appPath(app)}/build-cache` });
    },
    listBuildpackInstallations: (app) => get(`${appPath(app)}/buildpack-installations`),
    updateBuildpackInstallations: async (app, buildpacks) =>
      (
        await send<BuildpackInstallationResource[]>({
          method: 'PUT',
          path: `${appPath(app)}/buildpack-installations`,
          body: { updates: buildpacks.map((buildpack) => ({ buildpack })) },
        })
      ).body,
  };
}

function transportOptions(options: ClientOptions): TransportOptions {
  return {
    baseUrl: options.baseUrl,
    token: options.token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

function appPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}`;
}

function buildPath(app: string, id: string): string {
  return `${appPath(app)}/builds/${encodeURIComponent(id)}`;
}

async function readBuildOutput(transport: Transport, path: string): Promise<string> {
  const response = await transport.open({ method: 'GET', path, accept: 'text/plain, application/json' });
  try {
    return await response.text();
  } catch (error) {
    throw new ApiError('unreachable', `The connection to ${transport.urlOf(path)} broke while reading the answer: try again.`, response.status, {
      cause: error,
    });
  }
}

async function updateConfigVars(
  send: Send,
  app: string,
  patch: Readonly<Record<string, string | null>>,
): Promise<ConfigVarsUpdate> {
  const answer = await send<ConfigVarsResource>({ method: 'PATCH', path: `${appPath(app)}/config-vars`, body: patch });
  const header = answer.headers.get(RELEASE_VERSION_HEADER);
  const version = header === null ? NaN : Number(header);
  return { vars: answer.body, releaseVersion: Number.isInteger(version) && version > 0 ? version : undefined };
}

async function readReleasePage(send: Send, app: string, page: ReleasePageOptions): Promise<ReleasePage> {
  const range = page.range ?? `version ..; ${page.max !== undefined ? `max=${String(page.max)}, ` : ''}order=desc`;
  const answer = await send<ReleaseResource[]>({
    method: 'GET',
    path: `${appPath(app)}/releases`,
    headers: { Range: range },
  });
  const next = answer.status === 206 ? answer.headers.get('next-range') : null;
  return { releases: answer.body, nextRange: next ?? undefined };
}

async function followPages(
  listReleases: (app: string, page: ReleasePageOptions) => Promise<ReleasePage>,
  app: string,
  pageSize: number | undefined,
): Promise<ReleaseResource[]> {
  const all: ReleaseResource[] = [];
  let range: string | undefined;
  do {
    const page = await listReleases(app, {
      ...(pageSize !== undefined ? { max: pageSize } : {}),
      ...(range !== undefined ? { range } : {}),
    });
    all.push(...page.releases);
    range = page.nextRange;
  } while (range !== undefined);
  return all;
}
