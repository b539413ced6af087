import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run, runOrThrow } from './command.js';

/** The real git client with its own HOME, whose ~/.netrc holds the API token. */
export interface GitWorkspace {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  git(cwd: string, args: readonly string[]): Promise<string>;
  /** A repository holding a copy of `fixtureDir`, one commit on `main`. */
  repo(name: string, fixtureDir: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createGitWorkspace(token: string): Promise<GitWorkspace> {
  const home = await mkdtemp(join(tmpdir(), 'paas-bench-git-'));
  await writeFile(join(home, '.netrc'), `machine 127.0.0.1 login paas password ${token}\n`, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
  };
  const git = (cwd: string, args: readonly string[]): Promise<string> => runOrThrow('git', args, { cwd, env });
  return {
    home,
    env,
    git,
    async repo(name, fixtureDir) {
      const dir = join(home, name);
      await cp(fixtureDir, dir, { recursive: true });
      await git(dir, ['init', '-q', '-b', 'main']);
      await git(dir, ['add', '.']);
      await git(dir, ['commit', '-qm', 'first']);
      return dir;
    },
    async dispose() {
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** `git push` that reports failure with its output. */
export async function push(workspace: GitWorkspace, dir: string, remote: string): Promise<void> {
  const result = await run('git', ['push', '-q', remote, 'main'], { cwd: dir, env: workspace.env });
  if (result.code !== 0) throw new Error(`git push to ${remote} failed (${String(result.code)}):\n${result.stdout}${result.stderr}`);
}
