/**
 * Bare repositories on disk, one per app: `<root>/<app>.git`, HEAD on `main`, the
 * paas pre-receive hook installed. App names are checked with core's rule before
 * any path is built, so a name can never walk out of `root`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { PaasError, assertAppName, isAppName } from '@paas/core';

const run = promisify(execFile);

export interface RepoStoreOptions {
  /** The directory that holds the repositories (created when missing). */
  readonly root: string;
  readonly gitPath?: string;
  /** The Node binary the hook runs; default: the one running now (`process.execPath`). */
  readonly nodePath?: string;
  /** The hook script; default: this package's compiled `pre-receive/hook.js`. */
  readonly hookScriptPath?: string;
}

export interface RepoStore {
  readonly root: string;
  /** `<root>/<app>.git`; throws `invalid_params` for a bad app name. */
  pathOf(app: string): string;
  exists(app: string): Promise<boolean>;
  /** Creates the bare repository; `conflict` when it exists. Returns its path. */
  create(app: string): Promise<string>;
  /** (Re)writes `hooks/pre-receive`, e.g. at daemon start after a Node upgrade moved `process.execPath`. */
  installHook(app: string): Promise<void>;
  /** Deletes the repository; a missing one is fine. */
  remove(app: string): Promise<void>;
  /**
   * The commit a ref points at, or null. Under the build lock, onPush can compare it
   * with `deploy.oldRev`: a push that raced ahead means git would refuse this ref
   * update after the build, so refuse it before building.
   */
  readRef(app: string, ref: string): Promise<string | null>;
  /** App names that have a repository, sorted. */
  list(): Promise<string[]>;
  /**
   * Deletes quarantine directories (`objects/tmp_objdir-*`) older than `olderThanMs`
   * (default 1 h) and returns how many. A push killed mid-hook leaves its quarantine
   * behind: git 2.39's receive-pack does not clean up on SIGTERM while its hook runs.
   * A live push's quarantine is young, so the default age never touches one.
   */
  removeStaleQuarantines(app: string, olderThanMs?: number): Promise<number>;
  /**
   * The commits reachable from `to` and not from `from` (`git log from..to`), newest first,
   * at most `limit`; null when either is not a commit of the app's repository.
   */
  commitsBetween(app: string, from: string, to: string, limit?: number): Promise<CommitSummary[] | null>;
}

export interface CommitSummary {
  readonly sha: string;
  readonly author: string;
  readonly message: string;
}

const COMMIT_SHA = /^[0-9a-f]{7,64}$/;

/** Settings every app repository gets; see `git help config`. */
export const REPO_CONFIG: readonly (readonly [string, string])[] = [
  // Deletions are the push policy's to judge (the pre-receive hook): only review-app branches may go.
  ['receive.denyDeletes', 'false'],
  ['receive.denyNonFastForwards', 'false'], // `git push -f` is how users redeploy an amended commit
  ['receive.fsckObjects', 'true'], // refuse malformed objects before anyone clones them
  ['core.logAllRefUpdates', 'true'], // a reflog, so a forced push can be undone by an operator
  ['receive.maxInputSize', '1g'], // Heroku's repository limit: a larger pack is refused by git itself
  ['http.receivepack', 'true'],
  ['http.uploadpack', 'true'],
];

/** Environment for git commands run here: the host's git configuration does not apply. */
export function isolatedGitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
}

export const DEFAULT_HOOK_SCRIPT = fileURLToPath(new URL('./pre-receive/hook.js', import.meta.url));

function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a path with a NUL byte cannot be written into a hook');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The hook file: two absolute paths of our own, nothing that came from a user. */
export function renderPreReceiveHook(nodePath: string, hookScriptPath: string): string {
  return [
    '#!/bin/sh',
    '# Installed by paas (@paas/git): hands this push to the paas daemon, which builds it',
    '# and answers with the build output and the exit code. Rewritten by installHook.',
    `exec ${shellQuote(nodePath)} ${shellQuote(hookScriptPath)}`,
    '',
  ].join('\n');
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function createRepoStore(options: RepoStoreOptions): RepoStore {
  const root = resolve(options.root);
  const git = options.gitPath ?? 'git';
  const nodePath = options.nodePath ?? process.execPath;
  const hookScriptPath = options.hookScriptPath ?? DEFAULT_HOOK_SCRIPT;
  const env = isolatedGitEnv();

  const pathOf = (app: string): string => join(root, `${assertAppName(app)}.git`);

  async function exists(app: string): Promise<boolean> {
    try {
      return (await stat(join(pathOf(app), 'HEAD'))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async function writeHook(repoPath: string): Promise<void> {
    try {
      await stat(hookScriptPath);
    } catch (error) {
      throw new Error(`the pre-receive hook script ${hookScriptPath} is missing: build @paas/git first`, { cause: error });
    }
    const hooks = join(repoPath, 'hooks');
    await mkdir(hooks, { recursive: true });
    const temporary = join(hooks, `.pre-receive.${randomBytes(6).toString('hex')}`);
    await writeFile(temporary, renderPreReceiveHook(nodePath, hookScriptPath), { mode: 0o755 });
    await chmod(temporary, 0o755); // the umask may have taken bits away
    await rename(temporary, join(hooks, 'pre-receive'));
  }

  async function create(app: string): Promise<string> {
    const target = pathOf(app);
    await mkdir(root, { recursive: true });
    if (await exists(app)) throw new PaasError('conflict', `The app ${app} already has a git repository.`);
    // Built aside and renamed into place, so nobody sees half a repository.
    const temporary = await mkdtemp(join(root, `.tmp-${app}-`));
    try {
      await run(git, ['init', '--quiet', '--bare', '--template=', '--initial-branch=main', '--', temporary], { env });
      for (const [key, value] of REPO_CONFIG) {
        await run(git, ['config', '--file', join(temporary, 'config'), '--', key, value], { env });
      }
      await writeHook(temporary);
      try {
        await rename(temporary, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new PaasError('conflict', `The app ${app} already has a git repository.`, { cause: error });
        }
        throw error;
      }
      return target;
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      throw error;
    }
  }

  async function installHook(app: string): Promise<void> {
    if (!(await exists(app))) throw new PaasError('not_found', `Couldn't find a git repository for app ${app}.`);
    // Settings change between versions too: a repository made earlier gets today's.
    for (const [key, value] of REPO_CONFIG) {
      await run(git, ['config', '--file', join(pathOf(app), 'config'), '--', key, value], { env });
    }
    await writeHook(pathOf(app));
  }

  async function remove(app: string): Promise<void> {
    const target = pathOf(app);
    // Renamed away first, so the repository disappears at once for every reader.
    const trash = join(root, `.trash-${app}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(target, trash);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await rm(trash, { recursive: true, force: true });
  }

  async function list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(root);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const apps = entries
      .filter((entry) => entry.endsWith('.git'))
      .map((entry) => entry.slice(0, -'.git'.length))
      .filter((app) => isAppName(app));
    const present = await Promise.all(apps.map(async (app) => ((await exists(app)) ? app : null)));
    return present.filter((app): app is string => app !== null).sort();
  }

  async function readRef(app: string, ref: string): Promise<string | null> {
    // A full ref name cannot be read as an option, and it goes in as one argument.
    if (!/^refs\/[^\0-\x20\x7f]+$/.test(ref)) throw new Error(`not a full ref name: ${JSON.stringify(ref)}`);
    try {
      const { stdout } = await run(git, ['--git-dir', pathOf(app), 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { env });
      return stdout.trim();
    } catch (error) {
      if ((error as { code?: unknown }).code === 1) return null; // --quiet: the ref does not exist
      throw error;
    }
  }

  async function removeStaleQuarantines(app: string, olderThanMs = 60 * 60 * 1000): Promise<number> {
    const objects = join(pathOf(app), 'objects');
    let removed = 0;
    for (const entry of await readdir(objects)) {
      if (!entry.startsWith('tmp_objdir-')) continue;
      const path = join(objects, entry);
      try {
        if (Date.now() - (await stat(path)).mtimeMs < olderThanMs) continue;
        await rm(path, { recursive: true, force: true });
        removed += 1;
      } catch (error) {
        if (!isMissing(error)) throw error; // else: git finished with it meanwhile
      }
    }
    return removed;
  }

  async function commitsBetween(app: string, from: string, to: string, limit = 50): Promise<CommitSummary[] | null> {
    // Hex only: neither can be read as an option or a revision expression.
    if (!COMMIT_SHA.test(from) || !COMMIT_SHA.test(to) || !(await exists(app))) return null;
    try {
      const { stdout } = await run(
        git,
        ['--git-dir', pathOf(app), 'log', `--max-count=${String(limit)}`, '--format=%H%x00%an%x00%s', `${from}..${to}`, '--'],
        { env },
      );
      return stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [sha = '', author = '', message = ''] = line.split('\0');
          return { sha, author, message };
        });
    } catch (error) {
      // git log exits 128 for a commit the repository does not have: nothing to compare.
      if ((error as { code?: unknown }).code === 128) return null;
      throw error;
    }
  }

  return { root, pathOf, exists, create, installHook, remove, readRef, list, removeStaleQuarantines, commitsBetween };
}
