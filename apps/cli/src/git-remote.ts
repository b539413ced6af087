import { execFile } from 'node:child_process';

import { isAppName } from '@paas/core';

export const DEFAULT_REMOTE = 'paas';

interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git with an argument array (never a shell), resolving with its exit code. */
function runGit(args: readonly string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error.code === 'ENOENT' ? new Error('git is not installed or not on PATH', { cause: error }) : error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/**
 * The app a git URL points at: `http://host:5100/demo.git` → `demo`. Also takes
 * scp-style `user@host:demo.git`. undefined when the path is not `/<app>.git`.
 */
export function appFromGitUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: maybe scp-style `user@host:path`
    path = url.slice(url.indexOf(':') + 1);
  }
  const match = /(?:^|\/)([^/]+)\.git\/?$/.exec(path);
  const name = match?.[1];
  return isAppName(name) ? name : undefined;
}

export async function isInsideWorkTree(cwd: string): Promise<boolean> {
  const result = await runGit(['rev-parse', '--is-inside-work-tree'], cwd).catch(() => undefined);
  return result?.code === 0 && result.stdout.trim() === 'true';
}

/** The URL of a remote, or undefined when there is no such remote or no repository. */
export async function getRemoteUrl(cwd: string, remote: string): Promise<string | undefined> {
  const result = await runGit(['remote', 'get-url', '--', remote], cwd).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() : undefined;
}

export async function setRemoteUrl(cwd: string, remote: string, url: string): Promise<void> {
  const result = await runGit(['remote', 'set-url', '--', remote, url], cwd);
  if (result.code !== 0) throw new Error(`git remote set-url ${remote} failed: ${result.stderr.trim()}`);
}

export async function addRemote(cwd: string, remote: string, url: string): Promise<void> {
  const result = await runGit(['remote', 'add', '--', remote, url], cwd);
  if (result.code !== 0) throw new Error(`git remote add ${remote} failed: ${result.stderr.trim()}`);
}

/**
 * Has git verify the platform's HTTPS with `caFile` for this remote's origin only
 * (`http.<origin>/.sslCAInfo` in the repository's config), as Node does with
 * NODE_EXTRA_CA_CERTS for the CLI itself. Nothing for plain http remotes.
 */
export async function trustCaForRemote(cwd: string, url: string, caFile: string): Promise<boolean> {
  let origin: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') return false;
    origin = parsed.origin;
  } catch {
    // not a URL (scp-style): not https
    return false;
  }
  const result = await runGit(['config', '--local', `http.${origin}/.sslCAInfo`, caFile], cwd);
  if (result.code !== 0) throw new Error(`git config http.${origin}/.sslCAInfo failed: ${result.stderr.trim()}`);
  return true;
}

export async function removeRemote(cwd: string, remote: string): Promise<void> {
  const result = await runGit(['remote', 'remove', '--', remote], cwd);
  if (result.code !== 0) throw new Error(`git remote remove ${remote} failed: ${result.stderr.trim()}`);
}
