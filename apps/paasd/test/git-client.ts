import { execFile, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { TestContext } from 'node:test';

/** The real git client, with its own HOME whose ~/.netrc holds the API token. */
export interface GitClient {
  readonly home: string;
  run: (cwd: string, args: string[]) => Promise<{ code: number; out: string }>;
  /** git with its output as it comes, e.g. to act on a `remote:` line while a push runs. */
  start: (cwd: string, args: string[]) => ChildProcessByStdio<null, Readable, Readable>;
  /** A new repository with one commit of `files` (or of a copied fixture dir). */
  repo(name: string, from: { dir: string } | { files: Record<string, string> }, remote?: string): Promise<string>;
}

export function gitClient(t: TestContext, token: string, host = '127.0.0.1'): GitClient {
  const home = mkdtempSync(join(tmpdir(), 'paas-git-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, '.netrc'), `machine ${host} login paas password ${token}\n`, { mode: 0o600 });
  // A CA bundle set for the whole machine would override the CA a test gives git for the platform's HTTPS.
  const { GIT_SSL_CAINFO: _machineCa, ...inherited } = process.env;
  const env = {
    ...inherited,
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const run = (cwd: string, args: string[]): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      execFile('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      });
    });
  return {
    home,
    run,
    start: (cwd, args) => spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }),
    async repo(name, from, remote) {
      const dir = join(home, name);
      if ('dir' in from) cpSync(from.dir, dir, { recursive: true });
      else {
        mkdirSync(dir, { recursive: true });
        for (const [file, body] of Object.entries(from.files)) writeFileSync(join(dir, file), body);
      }
      await run(dir, ['init', '-q', '-b', 'main']);
      await run(dir, ['add', '.']);
      await run(dir, ['commit', '-qm', 'first']);
      if (remote) await run(dir, ['remote', 'add', 'paas', remote]);
      return dir;
    },
  };
}
