import type {
  AccountResource,
  AppResource,
  BuildpackInstallationResource,
  BuildResource,
  ConfigVarsResource,
  DiskCollectionResource,
  DiskResource,
  AcmResource,
  DomainResource,
  SniEndpointResource,
  DynoResource,
  FormationResource,
  LogDrainResource,
  LogSessionResource,
  MetricsResource,
  ReleaseResource,
  TwelveFactorResource,
} from '@paas/core';
import { RELEASE_VERSION_HEADER } from '@paas/core';

import { ApiError } from './api-error.js';
import { uploadSource } from './build-upload.js';
import { appPath, type Calls } from './calls.js';
import { addonMethods, type AddonMethods } from './client-addons.js';
import { pipelineMethods, type PipelineMethods } from './client-pipelines.js';
import { teamMethods, type TeamMethods } from './client-team.js';
import type { BuildStream } from './build-upload.js';
import { createTransport } from './transport.js';
import type { Send, SocketTarget, Transport, TransportOptions } from './transport.js';

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

export interface AppUpdate {
  readonly maintenance?: boolean;
  /** Answer plain HTTP requests with a redirect to HTTPS. */
  readonly redirect_https?: boolean;
}

export interface LogOptions {
  /** How many of the newest lines (the server keeps 1,500); defaults to the server's 100. */
  readonly lines?: number;
  /** Only this process type (`web`) or process (`web.1`). */
  readonly ps?: string;
  /** Only the app's own lines (`app`) or the platform's about it (`paas`). */
  readonly source?: 'app' | 'paas';
}

export interface PaasClient extends AddonMethods, PipelineMethods, TeamMethods {
  health(): Promise<{ status: string }>;
  getAccount(): Promise<AccountResource>;
  listApps(): Promise<AppResource[]>;
  createApp(input?: { name?: string }): Promise<AppResource>;
  getApp(app: string): Promise<AppResource>;
  updateApp(app: string, update: AppUpdate): Promise<AppResource>;
  /** `confirm` (the app's name) is needed when the app owns add-ons. */
  deleteApp(app: string, options?: { confirm?: string }): Promise<AppResource>;
  getConfigVars(app: string): Promise<ConfigVarsResource>;
  /** A string sets a key, null removes it. */
  updateConfigVars(app: string, patch: Readonly<Record<string, string | null>>): Promise<ConfigVarsUpdate>;
  listReleases(app: string, options?: ReleasePageOptions): Promise<ReleasePage>;
  /** Follows `Next-Range` until the last page; newest first. */
  listAllReleases(app: string, options?: { pageSize?: number }): Promise<ReleaseResource[]>;
  /** `version` may be 7, "v7" or the release id. */
  getRelease(app: string, version: string | number): Promise<ReleaseResource>;
  /** `since`: a duration back from now (`1h`, `24h`) or an ISO time; `step`: whole minutes (`5m`). */
  getMetrics(app: string, options?: { since?: string; step?: string }): Promise<MetricsResource>;
  /** `version` may be 7, "v7" or "current". */
  getTwelveFactor(app: string, version: string | number): Promise<TwelveFactorResource>;
  /** Makes a new release copying the target's slug and config; resolves with the new release. */
  rollback(app: string, release: string | number): Promise<ReleaseResource>;
  listFormation(app: string): Promise<FormationResource[]>;
  updateFormation(app: string, updates: readonly FormationUpdateInput[]): Promise<FormationResource[]>;
  /** The app's processes as they run now. */
  listDynos(app: string): Promise<DynoResource[]>;
  /** Restarts every process, those of one type (`web`) or one process (`web.1`). */
  restartDynos(app: string, dyno?: string): Promise<void>;
  /** Stops the processes of one type (`web`) or one process (`web.1`). */
  stopDynos(app: string, dyno: string): Promise<void>;
  /** Starts a one-off in the background (`paas run --detach`); its output goes to the app's log. */
  runDetached(app: string, command: string): Promise<{ name: string; command: string }>;
  /**
   * Where `paas run` connects: a websocket to `url` with `headers` on the upgrade,
   * speaking the protocol of @paas/core's `run-protocol.ts`. Makes no request itself.
   */
  runSocket(app: string): SocketTarget;
  /** The app's custom domains (not its own `<app>.<domain>` from web_url). */
  listDomains(app: string): Promise<DomainResource[]>;
  addDomain(app: string, hostname: string): Promise<DomainResource>;
  removeDomain(app: string, hostname: string): Promise<DomainResource>;
  /** The app's certificates, uploaded and automatic (Heroku's SNI endpoints). */
  listCertificates(app: string): Promise<SniEndpointResource[]>;
  /** Uploads a certificate chain (PEM, server certificate first) and its private key. */
  addCertificate(app: string, certificateChain: string, privateKey: string): Promise<SniEndpointResource>;
  removeCertificate(app: string, id: string): Promise<SniEndpointResource>;
  /** Per custom domain: the certificate serving it and where automatic certificates stand. */
  getAcm(app: string): Promise<AcmResource>;
  enableAcm(app: string): Promise<AcmResource>;
  disableAcm(app: string): Promise<AcmResource>;
  /** Orders new certificates for every custom domain now. */
  refreshAcm(app: string): Promise<AcmResource>;
  /** The newest lines of the app's log as text, one `TIME SOURCE[PROCESS]: LINE` a line. */
  getLogs(app: string, options?: LogOptions): Promise<string>;
  /** A log session to stream from: `paas logs --tail`. */
  createLogSession(app: string, options?: LogOptions & { readonly tail?: boolean }): Promise<LogSessionResource>;
  /** The websocket of a log session (its path is its credential: no token is sent). */
  logSessionSocket(session: LogSessionResource): SocketTarget;
  listLogDrains(app: string): Promise<LogDrainResource[]>;
  addLogDrain(app: string, url: string): Promise<LogDrainResource>;
  /** By id, or by the URL it was added with. */
  removeLogDrain(app: string, idOrUrl: string): Promise<LogDrainResource>;
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
  /** What the platform's disk holds, by kind, and what a collection would free. */
  getDisk(): Promise<DiskResource>;
  /** Runs the disk collector now; resolves with what it removed. */
  collectDisk(): Promise<DiskCollectionResource>;
}

export function createClient(options: ClientOptions): PaasClient {
  const transport = createTransport(transportOptions(options));
  const { send } = transport;
  const get = async <T>(path: string): Promise<T> => (await send<T>({ method: 'GET', path })).body;
  const listReleases = (app: string, page: ReleasePageOptions = {}): Promise<ReleasePage> =>
    readReleasePage(send, app, page);
  const calls: Calls = { send, get, transport };
  return {
    ...addonMethods(calls),
    ...pipelineMethods(calls),
    ...teamMethods(calls),
    health: () => get('/healthz'),
    getAccount: () => get('/account'),
    listApps: () => get('/apps'),
    createApp: async (input = {}) => (await send<AppResource>({ method: 'POST', path: '/apps', body: input })).body,
    getApp: (app) => get(appPath(app)),
    updateApp: async (app, update) => (await send<AppResource>({ method: 'PATCH', path: appPath(app), body: update })).body,
    deleteApp: async (app, { confirm } = {}) =>
      (await send<AppResource>({ method: 'DELETE', path: `${appPath(app)}${confirm === undefined ? '' : `?confirm=${encodeURIComponent(confirm)}`}` })).body,
    getConfigVars: (app) => get(`${appPath(app)}/config-vars`),
    updateConfigVars: (app, patch) => updateConfigVars(send, app, patch),
    listReleases,
    listAllReleases: (app, { pageSize } = {}) => followPages(listReleases, app, pageSize),
    getRelease: (app, version) => get(`${appPath(app)}/releases/${encodeURIComponent(String(version))}`),
    getMetrics: (app, { since, step } = {}) => {
      const query = new URLSearchParams();
      if (since !== undefined) query.set('since', since);
      if (step !== undefined) query.set('step', step);
      const text = query.toString();
      return get(`${appPath(app)}/metrics${text === '' ? '' : `?${text}`}`);
    },
    getTwelveFactor: (app, version) => get(`${appPath(app)}/releases/${encodeURIComponent(String(version))}/twelve-factor`),
    rollback: async (app, release) =>
      (await send<ReleaseResource>({ method: 'POST', path: `${appPath(app)}/releases`, body: { release } })).body,
    listFormation: (app) => get(`${appPath(app)}/formation`),
    updateFormation: async (app, updates) =>
      (await send<FormationResource[]>({ method: 'PATCH', path: `${appPath(app)}/formation`, body: { updates } })).body,
    listDynos: (app) => get(`${appPath(app)}/dynos`),
    restartDynos: async (app, dyno) => {
      await send({ method: 'DELETE', path: dyno === undefined ? `${appPath(app)}/dynos` : dynoPath(app, dyno) });
    },
    runDetached: async (app, command) =>
      (await send<{ name: string; command: string }>({ method: 'POST', path: `${appPath(app)}/dynos`, body: { command } })).body,
    stopDynos: async (app, dyno) => {
      await send({ method: 'POST', path: `${dynoPath(app, dyno)}/actions/stop` });
    },
    runSocket: (app) => transport.socketOf(`${appPath(app)}/run`),
    listDomains: (app) => get(`${appPath(app)}/domains`),
    addDomain: async (app, hostname) =>
      (await send<DomainResource>({ method: 'POST', path: `${appPath(app)}/domains`, body: { hostname } })).body,
    removeDomain: async (app, hostname) =>
      (await send<DomainResource>({ method: 'DELETE', path: `${appPath(app)}/domains/${encodeURIComponent(hostname)}` })).body,
    listCertificates: (app) => get(`${appPath(app)}/sni-endpoints`),
    addCertificate: async (app, certificateChain, privateKey) =>
      (await send<SniEndpointResource>({ method: 'POST', path: `${appPath(app)}/sni-endpoints`, body: { certificate_chain: certificateChain, private_key: privateKey } })).body,
    removeCertificate: async (app, id) =>
      (await send<SniEndpointResource>({ method: 'DELETE', path: `${appPath(app)}/sni-endpoints/${encodeURIComponent(id)}` })).body,
    getAcm: (app) => get(`${appPath(app)}/acm`),
    enableAcm: async (app) => (await send<AcmResource>({ method: 'POST', path: `${appPath(app)}/acm` })).body,
    disableAcm: async (app) => (await send<AcmResource>({ method: 'DELETE', path: `${appPath(app)}/acm` })).body,
    refreshAcm: async (app) => (await send<AcmResource>({ method: 'PATCH', path: `${appPath(app)}/acm`, body: { acm_refresh: true } })).body,
    getLogs: (app, options = {}) => readText(transport, `${appPath(app)}/logs${logQuery(options)}`),
    createLogSession: async (app, options = {}) =>
      (
        await send<LogSessionResource>({
          method: 'POST',
          path: `${appPath(app)}/log-sessions`,
          body: {
            ...(options.lines !== undefined ? { lines: options.lines } : {}),
            ...(options.ps !== undefined ? { dyno: options.ps } : {}),
            ...(options.source !== undefined ? { source: options.source } : {}),
            tail: options.tail ?? true,
          },
        })
      ).body,
    // `logplex_url` is absolute (older servers: a path); the socket goes to its path on this API.
    logSessionSocket: (session) => ({ url: transport.socketOf(new URL(session.logplex_url, 'http://api.invalid').pathname).url, headers: {} }),
    listLogDrains: (app) => get(`${appPath(app)}/log-drains`),
    addLogDrain: async (app, url) => (await send<LogDrainResource>({ method: 'POST', path: `${appPath(app)}/log-drains`, body: { url } })).body,
    removeLogDrain: async (app, idOrUrl) =>
      (await send<LogDrainResource>({ method: 'DELETE', path: `${appPath(app)}/log-drains/${encodeURIComponent(idOrUrl)}` })).body,
    getDisk: () => get('/disk'),
    collectDisk: async () => (await send<DiskCollectionResource>({ method: 'POST', path: '/disk/collect' })).body,
    listBuilds: (app) => get(`${appPath(app)}/builds`),
    getBuild: (app, id) => get(buildPath(app, id)),
    getBuildOutput: (app, id) => readText(transport, `${buildPath(app, id)}/output`),
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

function buildPath(app: string, id: string): string {
  return `${appPath(app)}/builds/${encodeURIComponent(id)}`;
}

function dynoPath(app: string, dyno: string): string {
  return `${appPath(app)}/dynos/${encodeURIComponent(dyno)}`;
}

function logQuery(options: LogOptions): string {
  const query = new URLSearchParams();
  if (options.lines !== undefined) query.set('lines', String(options.lines));
  if (options.ps !== undefined) query.set('ps', options.ps);
  if (options.source !== undefined) query.set('source', options.source);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** A text answer (build output, logs), read whole. */
async function readText(transport: Transport, path: string): Promise<string> {
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
