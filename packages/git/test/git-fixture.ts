/**
 * A small paas git endpoint for tests: a node:http server routing `/<app>.git/*` to
 * handleGitHttp behind basic auth, a push server whose onPush a test can replace,
 * a repo store in a temp dir, and a git client with its own HOME and `.netrc`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

import { isAppName } from '@paas/core';

import {
  createPushServer,
  createRepoStore,
  handleGitHttp,
  type GitHttpExit,
  type Push,
  type PushServer,
  type RepoStore,
} from '../src/index.js';

export const USER = 'dev@example.com';
export const PASSWORD = 's3cret-token';

export interface RecordedPush {
  readonly push: Push;
  /** The tar, when the push had a source and the default onPush read it. */
  tar: Buffer | null;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly contentLength: string | undefined;
  readonly transferEncoding: string | undefined;
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitFixture {
  readonly dir: string;
  readonly store: RepoStore;
  readonly pushServer: PushServer;
  readonly pushes: RecordedPush[];
  readonly requests: RequestRecord[];
  readonly exits: Promise<GitHttpExit>[];
  readonly port: number;
  onPush: (push: Push, record: RecordedPush) => Promise<number>;
  /** Changes the environment a push ticket hands down (to break it on purpose). */
  ticketEnv: (env: Readonly<Record<string, string>>) => Record<string, string>;
  url(app: string, credentials?: string): string;
  git(args: readonly string[], cwd?: string): Promise<Result>;
  /** A git client in a process group of its own, for tests that kill it. */
  gitProcess(args: readonly string[], cwd: string): ChildProcess;
  /** A working copy with the given files committed on main. */
  workingCopy(name: string, files: Readonly<Record<string, string | Buffer>>): Promise<string>;
  close(): Promise<void>;
}

export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** The regular files of a tar (ustar, with git's pax headers skipped). */
export function readTar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number): string =>
      header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1);
    const prefix = text(345, 155);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    if (type === '0' || type === '') files.set(name, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

export async function defaultOnPush(push: Push, record: RecordedPush): Promise<number> {
  push.output.write('-----> Building…\n');
  if (push.source) record.tar = await readAll(push.source);
  push.output.write(`-----> Built ${push.deploy?.newRev.slice(0, 7) ?? 'nothing'}\n`);
  return 0;
}

export async function startGitFixture(): Promise<GitFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-git-'));
  const home = join(dir, 'home');
  await mkdir(home);
  const store = createRepoStore({ root: join(dir, 'repos') });
  const pushes: RecordedPush[] = [];
  const requests: RequestRecord[] = [];
  const exits: Promise<GitHttpExit>[] = [];

  const fixture: Partial<GitFixture> & Pick<GitFixture, 'onPush' | 'ticketEnv'> = {
    onPush: defaultOnPush,
    ticketEnv: (env) => ({ ...env }),
  };
  const pushServer = createPushServer({
    socketPath: join(dir, 'push.sock'),
    onPush: (push) => {
      const record: RecordedPush = { push, tar: null };
      pushes.push(record);
      return fixture.onPush(push, record);
    },
  });
  await pushServer.listen();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/([^/]+)\.git(\/.*)$/.exec(url.pathname);
    const app = match?.[1];
    const path = match?.[2];
    if (app === undefined || path === undefined || !isAppName(app)) {
      res.writeHead(404).end();
      return;
    }
    const [scheme, encoded = ''] = (req.headers.authorization ?? '').split(' ');
    const [user = '', ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    if (scheme !== 'Basic' || rest.join(':') !== PASSWORD) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="paas"', 'content-type': 'text/plain' }).end('Unauthorized\n');
      return;
    }
    if (!(await store.exists(app))) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`No app ${app}\n`);
      return;
    }
    requests.push({
      method: req.method ?? '',
      path,
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
    });
    const ticket = req.method === 'POST' && path === '/git-receive-pack' ? pushServer.authorize(app, { user }) : null;
    const response = await handleGitHttp(
      { method: req.method ?? 'GET', path, query: url.search.slice(1), headers: req.headers, body: req },
      { repoPath: store.pathOf(app), remoteUser: user, extraEnv: ticket ? fixture.ticketEnv(ticket.env) : {} },
    ).catch((error: unknown) => {
      ticket?.revoke();
      throw error;
    });
    exits.push(response.exited);
    void response.exited.then(() => ticket?.revoke());
    res.writeHead(response.status, response.headers);
    await pipeline(response.body, res).catch(() => {
      // The client went away; handleGitHttp kills git when the body is destroyed.
    });
  };
  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  await writeFile(join(home, '.netrc'), `machine 127.0.0.1 login ${USER} password ${PASSWORD}\n`, { mode: 0o600 });
  await writeFile(
    join(home, '.gitconfig'),
    '[user]\n\tname = Dev\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
  );
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
  };

  const git = (args: readonly string[], cwd = dir): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  return Object.assign(fixture, {
    dir,
    store,
    pushServer,
    pushes,
    requests,
    exits,
    port,
    url: (app: string, credentials?: string) =>
      `http://${credentials === undefined ? '' : `${credentials}@`}127.0.0.1:${String(port)}/${app}.git`,
    git,
    gitProcess: (args: readonly string[], cwd: string) =>
      spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
    async workingCopy(name: string, files: Readonly<Record<string, string | Buffer>>) {
      const work = join(dir, name);
      await mkdir(work, { recursive: true });
      await git(['init', '--quiet', '--initial-branch=main', '--', work]);
      for (const [file, content] of Object.entries(files)) {
        await mkdir(join(work, file, '..'), { recursive: true });
        await writeFile(join(work, file), content);
      }
      await git(['add', '--all'], work);
      await git(['commit', '--quiet', '-m', 'first'], work);
      return work;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pushServer.close();
      await Promise.all(exits);
      await rm(dir, { recursive: true, force: true });
    },
  });
}
