import { lookup } from 'node:dns/promises';
import { cp, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';

import { TARGET_ADDRESS_RULE, type TargetPolicy, refuseTargetAddress } from '@paas/core';

import { runOnHost } from './host-environment.js';

/** The platform's own buildpacks, tried in this order when an app names none. */
export const PLATFORM_BUILDPACKS: readonly string[] = ['nodejs', 'python', 'go', 'static', 'procfile'];

/** `buildpacks/` at the root of this repository (dist/src/ → four levels up). */
export const DEFAULT_BUILDPACKS_DIR = fileURLToPath(new URL('../../../../buildpacks', import.meta.url));

export type BuildpackRef =
  | { readonly kind: 'builtin'; readonly name: string; readonly display: string }
  | { readonly kind: 'path'; readonly path: string; readonly display: string }
  | { readonly kind: 'git'; readonly url: string; readonly branch?: string; readonly display: string };

export class BuildpackRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildpackRefError';
  }
}

const BUILTIN_NAME = /^[a-z][a-z0-9-]{0,39}$/;
/**
 * Only https: it carries no options in its host part (`ssh://-oProxyCommand=…`), is
 * encrypted, and its host can be checked before and pinned during the clone.
 */
const URL_SCHEMES = ['https:'];
const GIT_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

export interface ParseBuildpackOptions {
  /** Accept `file://` URLs (tests, operators); off by default: users must not clone the platform's disk. */
  readonly allowFileUrls?: boolean;
  /** Which addresses a git URL may reach; public ones only unless the operator allows private ones. */
  readonly targets?: TargetPolicy;
}

/** The host of a URL without IPv6 brackets; WHATWG URL already turned `2130706433` into `127.0.0.1`. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Reads a buildpack setting: a built-in name (`nodejs`), an absolute path, or a git
 * URL with an optional `#branch-or-tag`. Refuses anything else, including git's
 * `ext::` and other command-running transports. Pure: usable to validate API input.
 */
export function parseBuildpackRef(value: string, options: ParseBuildpackOptions = {}): BuildpackRef {
  const trimmed = value.trim();
  if (BUILTIN_NAME.test(trimmed)) return { kind: 'builtin', name: trimmed, display: trimmed };
  if (isAbsolute(trimmed) && !trimmed.includes('\0')) return { kind: 'path', path: trimmed, display: trimmed };
  const hash = trimmed.lastIndexOf('#');
  const url = hash === -1 ? trimmed : trimmed.slice(0, hash);
  const branch = hash === -1 ? undefined : trimmed.slice(hash + 1);
  if (branch !== undefined && !GIT_REF.test(branch)) {
    throw new BuildpackRefError(`${JSON.stringify(branch)} after # is not a branch or tag name`);
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL at all: reported below with the accepted forms.
  }
  const schemes = options.allowFileUrls === true ? [...URL_SCHEMES, 'file:'] : URL_SCHEMES;
  if (parsed === undefined || !schemes.includes(parsed.protocol) || url.startsWith('-')) {
    throw new BuildpackRefError(
      `${JSON.stringify(value.slice(0, 200))} is not a buildpack: use a built-in name (${PLATFORM_BUILDPACKS.join(', ')}), ` +
        'an absolute path, or an https:// git URL, optionally with #branch',
    );
  }
  if (parsed.protocol === 'https:') {
    const host = bareHost(parsed);
    const refused = isIP(host) === 0 ? undefined : refuseTargetAddress(host, options.targets);
    if (refused !== undefined) throw new BuildpackRefError(`the buildpack URL's host is not allowed (${refused}): ${TARGET_ADDRESS_RULE}`);
  }
  return branch === undefined ? { kind: 'git', url, display: trimmed } : { kind: 'git', url, branch, display: trimmed };
}

export interface FetchBuildpackOptions {
  readonly buildpacksDir: string;
  readonly allowFileUrls?: boolean;
  readonly targets?: TargetPolicy;
  /** HOME for git (its config and known_hosts), inside the build's work dir. */
  readonly home: string;
  readonly path: string;
  readonly log: Writable;
  readonly signal: AbortSignal;
}

async function hasCompile(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'bin', 'compile'))).isFile();
  } catch {
    // Missing or unreadable: either way not a buildpack we can run.
    return false;
  }
}

/**
 * Puts a private copy of the buildpack at `dest`: built-ins and paths are copied
 * (links dereferenced, so a pack that shares a lib through a link is whole), git URLs
 * are cloned. Every build gets its own copy, so a pack's `export` file and anything
 * else it writes beside itself never leak between builds.
 */
export async function fetchBuildpack(ref: BuildpackRef, dest: string, options: FetchBuildpackOptions): Promise<void> {
  if (ref.kind === 'git') {
    const pinned = await pinGitHost(ref.url, options.targets);
    const args = [
      // Redirects could lead anywhere; the resolved, checked addresses are the only ones curl may use.
      '-c', 'http.followRedirects=false',
      ...pinned.flatMap((entry) => ['-c', `http.curloptResolve=${entry}`]),
      'clone', '--quiet', '--depth', '1', ...(ref.branch === undefined ? [] : ['--branch', ref.branch]), '--', ref.url, dest,
    ];
    const protocols = options.allowFileUrls === true ? 'https:file' : 'https';
    const result = await runOnHost('git', args, {
      cwd: options.home,
      env: {
        PATH: options.path,
        HOME: options.home,
        GIT_TERMINAL_PROMPT: '0',
        GIT_ALLOW_PROTOCOL: protocols,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
      },
      stdout: options.log,
      stderr: options.log,
      signal: options.signal,
    });
    options.signal.throwIfAborted();
    if (result.exitCode !== 0) throw new BuildpackRefError(`git clone failed (exit ${String(result.exitCode ?? result.signal)})`);
  } else {
    const source = ref.kind === 'builtin' ? join(options.buildpacksDir, ref.name) : ref.path;
    if (!(await hasCompile(source))) {
      throw new BuildpackRefError(
        ref.kind === 'builtin' ? `there is no built-in buildpack named ${ref.name}` : `${ref.path} has no bin/compile`,
      );
    }
    await cp(source, dest, { recursive: true, dereference: true });
  }
  if (!(await hasCompile(dest))) throw new BuildpackRefError('the buildpack has no bin/compile');
}

/**
 * Resolves an https git URL's host now, refuses it when any address is not allowed, and
 * returns curl `--resolve` entries that pin the clone to the addresses checked (a DNS
 * answer changed between the check and the clone cannot lead elsewhere).
 */
async function pinGitHost(url: string, targets: TargetPolicy | undefined): Promise<string[]> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return [];
  const host = bareHost(parsed);
  const port = parsed.port === '' ? '443' : parsed.port;
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch (error) {
      throw new BuildpackRefError(`the buildpack host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
  }
  const refused = addresses.map((address) => refuseTargetAddress(address, targets)).find((reason) => reason !== undefined);
  if (refused !== undefined) throw new BuildpackRefError(`the buildpack host ${host} is not allowed (${refused}): ${TARGET_ADDRESS_RULE}`);
  if (isIP(host) !== 0) return [];
  const shown = addresses.map((address) => (isIP(address) === 6 ? `[${address}]` : address));
  return [`${host}:${port}:${shown.join(',')}`];
}

/** A directory name for the `index`-th buildpack of a build. */
export function buildpackDirName(index: number, ref: BuildpackRef): string {
  const base = ref.kind === 'builtin' ? ref.name : basename(ref.kind === 'path' ? ref.path : ref.url).replace(/\.git$/, '');
  return `${String(index)}-${base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'buildpack'}`;
}
