/**
 * The twelve-factor scorecard of a release: each factor's verdict is a pure function of
 * what the platform recorded while building and running it, and carries that evidence.
 */

export type FactorVerdict = 'meets' | 'warns' | 'not-observed';

export interface FactorResult {
  readonly factor: string;
  readonly name: string;
  readonly verdict: FactorVerdict;
  readonly evidence: string;
  /** For a warning: what to change. */
  readonly fix?: string;
}

/** What was seen in the slug's files. */
export interface SlugScan {
  /** Dependency manifests (package.json, requirements.txt, Gemfile, go.mod, …). */
  readonly manifests: readonly string[];
  readonly lockfiles: readonly string[];
  /** Whether package.json pins `engines.node`; null when there is no package.json. */
  readonly enginesPinned: boolean | null;
  readonly envFiles: readonly string[];
  /** `path:line` of literals that look like secrets (keys, tokens, passwords). */
  readonly secretLiterals: readonly string[];
  readonly logFiles: readonly string[];
}

export interface ReleaseObservations {
  readonly release: number;
  readonly slug?: { readonly checksum: string; readonly sizeBytes: number; readonly stack?: string };
  readonly slugScan?: SlugScan;
  /** The stack processes ran on. */
  readonly runStack?: string;
  readonly configKeys: readonly string[];
  readonly attachments: readonly string[];
  readonly processTypes: readonly string[];
  readonly formation: readonly { readonly type: string; readonly quantity: number }[];
  readonly releasePhase: boolean;
  /** Boot times (ms) of web processes that bound `$PORT`. */
  readonly boots: readonly number[];
  readonly bootTimeouts: number;
  readonly bootTimeoutMs: number;
  readonly stops: readonly { readonly name: string; readonly stopMs: number; readonly killed: boolean }[];
  readonly graceMs: number;
  /** Whether the app dirs of running processes were looked at, and what had been written there. */
  readonly writesSampled: boolean;
  readonly writes: readonly string[];
  /** One-off processes (`paas run`) run against the release. */
  readonly oneOffs: number;
}

export function emptyObservations(release: number): ReleaseObservations {
  return {
    release, configKeys: [], attachments: [], processTypes: [], formation: [], releasePhase: false,
    boots: [], bootTimeouts: 0, bootTimeoutMs: 60_000, stops: [], graceMs: 30_000, writesSampled: false, writes: [], oneOffs: 0,
  };
}

/** A boot slower than this warns (IX): disposability wants fast starts. */
export const SLOW_BOOT_MS = 10_000;

const LOG_FILE = /\.log(\.\d+)?$/;

const list = (items: readonly string[], most = 3): string =>
  items.slice(0, most).join(', ') + (items.length > most ? ` and ${String(items.length - most)} more` : '');

const result = (factor: string, name: string, verdict: FactorVerdict, evidence: string, fix?: string): FactorResult =>
  fix === undefined ? { factor, name, verdict, evidence } : { factor, name, verdict, evidence, fix };

function dependencies(o: ReleaseObservations): FactorResult {
  const s = o.slugScan;
  if (!s) return result('II', 'Dependencies', 'not-observed', 'The slug\'s files were not scanned.');
  if (s.manifests.length === 0 && s.lockfiles.length === 0) return result('II', 'Dependencies', 'meets', 'No dependency manifest: the app depends on nothing beyond its stack.');
  if (s.lockfiles.length === 0) return result('II', 'Dependencies', 'warns', 'No lockfile in the slug: dependency versions were resolved at build time.', 'Commit your lockfile (package-lock.json, yarn.lock, requirements.txt with pins, go.sum…).');
  if (s.enginesPinned === false) return result('II', 'Dependencies', 'warns', `Lockfile ${list(s.lockfiles)}, but package.json has no engines.node.`, 'Pin the runtime: "engines": { "node": "20.x" } in package.json.');
  return result('II', 'Dependencies', 'meets', `Lockfile ${list(s.lockfiles)}${s.enginesPinned ? ', engines pinned' : ''}.`);
}

function config(o: ReleaseObservations): FactorResult {
  const s = o.slugScan;
  if (!s) return result('III', 'Config', 'not-observed', 'The slug\'s files were not scanned.');
  if (s.envFiles.length > 0) return result('III', 'Config', 'warns', `The slug carries ${list(s.envFiles)}.`, 'Remove .env files from the repository (add them to .gitignore) and set the values with paas config:set.');
  if (s.secretLiterals.length > 0) return result('III', 'Config', 'warns', `Secret-looking literals in the code: ${list(s.secretLiterals)}.`, 'Read secrets from the environment (process.env) and set them with paas config:set.');
  return result('III', 'Config', 'meets', `No .env file or secret-looking literal in the slug; ${String(o.configKeys.length)} config vars come from the environment.`);
}

function backingServices(o: ReleaseObservations): FactorResult {
  if (o.attachments.length > 0) return result('IV', 'Backing services', 'meets', `Attached by URL: ${list(o.attachments)}.`);
  const urls = o.configKeys.filter((key) => key.endsWith('_URL'));
  if (urls.length > 0) return result('IV', 'Backing services', 'meets', `Services given by URL in config: ${list(urls)}.`);
  return result('IV', 'Backing services', 'not-observed', 'No add-on attached and no *_URL config var.');
}

function buildReleaseRun(o: ReleaseObservations): FactorResult {
  if (!o.slug) return result('V', 'Build, release, run', 'not-observed', 'This release has no slug (config only, before the first deploy).');
  return result('V', 'Build, release, run', 'meets', `Immutable slug sha256:${o.slug.checksum.slice(0, 12)} (${String(Math.round(o.slug.sizeBytes / 1024))} KiB), run unchanged by release v${String(o.release)}.`);
}

function processes(o: ReleaseObservations): FactorResult {
  if (!o.writesSampled) return result('VI', 'Processes', 'not-observed', 'No running process of this release was sampled.');
  const writes = o.writes.filter((path) => !LOG_FILE.test(path));
  if (writes.length > 0) return result('VI', 'Processes', 'warns', `Files written to the local filesystem, lost at the next restart or deploy: ${list(writes)}.`, 'Keep state in a backing service (a database, object storage); use /tmp only for scratch.');
  return result('VI', 'Processes', 'meets', 'Nothing was written to the app dir while it ran.');
}

function portBinding(o: ReleaseObservations): FactorResult {
  if (!o.processTypes.includes('web')) return result('VII', 'Port binding', 'not-observed', 'No web process type.');
  if (o.boots.length === 0 && o.bootTimeouts > 0) return result('VII', 'Port binding', 'warns', `web did not bind $PORT within ${String(o.bootTimeoutMs / 1000)} s (R10, ${String(o.bootTimeouts)} times).`, 'Listen on the port in the PORT environment variable (process.env.PORT), not a fixed one.');
  if (o.boots.length === 0) return result('VII', 'Port binding', 'not-observed', 'No web process of this release has booted yet.');
  return result('VII', 'Port binding', 'meets', `web bound $PORT ${o.boots.length === 1 ? 'once' : `${String(o.boots.length)} times`}, within ${String(Math.max(...o.boots))} ms at most.`);
}

function concurrency(o: ReleaseObservations): FactorResult {
  if (o.processTypes.length === 0) return result('VIII', 'Concurrency', 'not-observed', 'No process types (no slug yet).');
  const scale = o.formation.map((f) => `${f.type}=${String(f.quantity)}`).join(' ');
  return result('VIII', 'Concurrency', 'meets', `Process types ${o.processTypes.join(', ')}; scale ${scale || 'none'}.`);
}

function disposability(o: ReleaseObservations): FactorResult {
  const killed = o.stops.filter((s) => s.killed);
  if (killed.length > 0) return result('IX', 'Disposability', 'warns', `${list(killed.map((s) => s.name))} did not exit within ${String(o.graceMs / 1000)} s of SIGTERM (R12) and was killed.`, 'Handle SIGTERM: stop accepting work, finish what is under way and exit.');
  if (o.boots.length === 0 && o.stops.length === 0) return result('IX', 'Disposability', 'not-observed', 'No boot or stop of this release seen yet.');
  const slowest = o.boots.length > 0 ? Math.max(...o.boots) : 0;
  if (slowest > SLOW_BOOT_MS) return result('IX', 'Disposability', 'warns', `Booting took up to ${String(slowest)} ms.`, 'Start fast: move work out of startup (precompile at build time, connect lazily).');
  const stops = o.stops.length > 0 ? `; ${String(o.stops.length)} stops, each within ${String(Math.max(...o.stops.map((s) => s.stopMs)))} ms of SIGTERM` : '';
  return result('IX', 'Disposability', 'meets', `Boots within ${String(slowest)} ms${stops}.`);
}

function parity(o: ReleaseObservations): FactorResult {
  if (o.slug?.stack === undefined || o.runStack === undefined) return result('X', 'Dev/prod parity', 'not-observed', 'Build or run stack not recorded.');
  if (o.slug.stack !== o.runStack) return result('X', 'Dev/prod parity', 'warns', `Built on ${o.slug.stack}, run on ${o.runStack}.`, 'Rebuild the app (git push) so build and run share the stack.');
  return result('X', 'Dev/prod parity', 'meets', `Built and run on the same stack, ${o.runStack}.`);
}

function logs(o: ReleaseObservations): FactorResult {
  const files = [...(o.slugScan?.logFiles ?? []), ...o.writes.filter((path) => LOG_FILE.test(path))];
  if (files.length > 0) return result('XI', 'Logs', 'warns', `Log files in the app dir: ${list([...new Set(files)])}.`, 'Write logs to stdout/stderr; paas logs and drains collect them.');
  if (!o.writesSampled) return result('XI', 'Logs', 'not-observed', 'No running process of this release was sampled.');
  return result('XI', 'Logs', 'meets', 'No log file written in the app dir; output goes to stdout/stderr.');
}

function adminProcesses(o: ReleaseObservations): FactorResult {
  if (o.releasePhase) return result('XII', 'Admin processes', 'meets', 'Admin work runs in the release phase (Procfile release:).');
  if (o.oneOffs > 0) return result('XII', 'Admin processes', 'meets', `Admin work runs as one-off processes: ${String(o.oneOffs)} run against this release (paas run).`);
  return result('XII', 'Admin processes', 'not-observed', 'No release phase and no one-off process (paas run) seen for this release.');
}

/** Verdicts for factors II–XII (I, one codebase per app, holds by construction: one repository per app). */
export function scoreRelease(o: ReleaseObservations): FactorResult[] {
  return [dependencies, config, backingServices, buildReleaseRun, processes, portBinding, concurrency, disposability, parity, logs, adminProcesses].map((rule) => rule(o));
}

/** Whether a file path names a log file (for XI, and excluded from VI). */
export function isLogFile(path: string): boolean {
  return LOG_FILE.test(path);
}
