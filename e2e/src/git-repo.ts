import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitRun {
  readonly code: number;
  readonly out: string;
}

/** A repository made from a fixture, pushed with the real git client authenticated by ~/.netrc. */
export interface GitRepo {
  readonly dir: string;
  run(args: readonly string[]): Promise<GitRun>;
  remove(): Promise<void>;
}

/**
 * Copies `fixtureDir` into a new repository with one commit on `main` and a `paas` remote.
 * git runs with its own HOME whose ~/.netrc holds the API token for `host`, as `paas login` writes it (which puts the account's email as the login; any name is accepted).
 */
export async function createGitRepo(fixtureDir: string, remote: string, token: string): Promise<GitRepo> {
  const home = await mkdtemp(join(tmpdir(), 'paas-e2e-git-'));
  const host = new URL(remote).hostname;
  await writeFile(join(home, '.netrc'), `machine ${host}\n  login paas\n  password ${token}\n`, { mode: 0o600 });
  const env = {
    ...process.env,
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'E2E',
    GIT_AUTHOR_EMAIL: 'e2e@example.com',
    GIT_COMMITTER_NAME: 'E2E',
    GIT_COMMITTER_EMAIL: 'e2e@example.com',
  };
  const dir = join(home, 'app');
  const run = (args: readonly string[]): Promise<GitRun> =>
    new Promise((resolve) => {
      execFile('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      });
    });
  await cp(fixtureDir, dir, { recursive: true });
  for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-qm', 'first'], ['remote', 'add', '--', 'paas', remote]]) {
    const step = await run(args);
    if (step.code !== 0) throw new Error(`git ${args.join(' ')} failed:\n${step.out}`);
  }
  return { dir, run, remove: () => rm(home, { recursive: true, force: true }) };
}
