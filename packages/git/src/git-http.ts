/**
 * Git's smart HTTP protocol, served by running `git http-backend` as a CGI program.
 * Framework-agnostic: the caller hands over the pieces of the request and streams
 * the returned body to its client (Fastify: `reply.code(status).headers(headers).send(body)`).
 *
 * Ownership: the child runs in its own process group (http-backend → receive-pack →
 * pre-receive hook → git archive). It is killed, group and all, when the response
 * body is destroyed before it ended (the client went away), when the request body
 * breaks off, or when `options.signal` aborts; `exited` settles once it is gone.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, isAbsolute } from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';

import { MAX_CGI_HEAD_BYTES, findCgiBodyStart, parseCgiHead, type CgiHead } from './cgi-response.js';
import { killGroup, type ProcessGroup } from './process-group.js';

export interface GitHttpRequest {
  readonly method: string;
  /** The URL path after the repository prefix: `/info/refs`, `/git-upload-pack` or `/git-receive-pack`. */
  readonly path: string;
  /** The query string without its `?`, e.g. `service=git-receive-pack`. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw (still encoded) request body; null when there is none. */
  readonly body: Readable | null;
}

export interface GitHttpOptions {
  /** Absolute path of the bare repository, e.g. `/data/repos/my-app.git`. */
  readonly repoPath: string;
  /** Who pushes; must not be empty (http-backend allows receive-pack only with a REMOTE_USER). */
  readonly remoteUser: string;
  /** More environment for http-backend and everything it runs, e.g. a push ticket's `env`. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Aborting kills the child (e.g. the daemon shuts down). */
  readonly signal?: AbortSignal;
  readonly gitPath?: string;
  /** Between SIGTERM (git removes its quarantine) and SIGKILL. Default 5 s. */
  readonly killGraceMs?: number;
}

export interface GitHttpExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether this module killed it (client gone, signal aborted). */
  readonly killed: boolean;
  /** http-backend's stderr, at most 64 KiB, for the platform log. */
  readonly stderr: string;
}

export interface GitHttpResponse extends CgiHead {
  /** Stream it to the client; destroying it before its end kills the child. */
  readonly body: Readable;
  /** Settles when the child (if any) has exited; never rejects. */
  readonly exited: Promise<GitHttpExit>;
}

const SERVICES = ['git-upload-pack', 'git-receive-pack'] as const;
const MAX_STDERR_BYTES = 64 * 1024;
const PROTOCOL_HEADER = /^[A-Za-z0-9=:._-]{1,256}$/;

function header(headers: GitHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function plainResponse(status: number, text: string): GitHttpResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
    body: Readable.from([Buffer.from(`${text}\n`)]),
    exited: Promise.resolve({ code: null, signal: null, killed: false, stderr: '' }),
  };
}

/** Only the smart protocol: the dumb one would serve repository files one by one. */
function refuseRoute(request: GitHttpRequest): GitHttpResponse | null {
  const service = new URLSearchParams(request.query).get('service');
  if (request.path === '/info/refs') {
    if (request.method !== 'GET') return plainResponse(405, 'Method not allowed: use GET.');
    if (service === null || !(SERVICES as readonly string[]).includes(service)) {
      return plainResponse(403, 'Only the smart HTTP protocol is served: update your git client.');
    }
    return null;
  }
  if ((SERVICES as readonly string[]).includes(request.path.slice(1))) {
    return request.method === 'POST' ? null : plainResponse(405, 'Method not allowed: use POST.');
  }
  return plainResponse(404, 'Not found.');
}

function backendEnv(request: GitHttpRequest, options: GitHttpOptions): Record<string, string> {
  const env: Record<string, string> = {
    ...options.extraEnv,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    // The host's git configuration must not change how these repositories behave
    // (a global core.hooksPath would skip the pre-receive hook, for one).
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GATEWAY_INTERFACE: 'CGI/1.1',
    GIT_PROJECT_ROOT: dirname(options.repoPath),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${basename(options.repoPath)}${request.path}`,
    QUERY_STRING: request.query,
    REQUEST_METHOD: request.method,
    REMOTE_USER: options.remoteUser,
  };
  const copies: [string, string][] = [
    ['content-type', 'CONTENT_TYPE'],
    ['content-encoding', 'HTTP_CONTENT_ENCODING'],
  ];
  for (const [name, variable] of copies) {
    const value = header(request.headers, name);
    if (value !== undefined) env[variable] = value;
  }
  const length = header(request.headers, 'content-length');
  if (length !== undefined && /^\d{1,15}$/.test(length)) env.CONTENT_LENGTH = length;
  const protocol = header(request.headers, 'git-protocol');
  if (protocol !== undefined && PROTOCOL_HEADER.test(protocol)) {
    env.GIT_PROTOCOL = protocol;
    env.HTTP_GIT_PROTOCOL = protocol;
  }
  return env;
}

export async function handleGitHttp(request: GitHttpRequest, options: GitHttpOptions): Promise<GitHttpResponse> {
  if (!isAbsolute(options.repoPath)) throw new Error(`repoPath must be absolute: ${options.repoPath}`);
  if (options.remoteUser === '') throw new Error('remoteUser must not be empty');
  const refused = refuseRoute(request);
  if (refused) {
    request.body?.resume(); // drain what the client sent; nothing reads it
    return refused;
  }

  const child = spawn(options.gitPath ?? 'git', ['http-backend'], {
    env: backendEnv(request, options),
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so a kill reaches receive-pack and the hook too
    shell: false,
  });
  const group: ProcessGroup = { child, graceMs: options.killGraceMs ?? 5000, killed: false };
  const kill = (): void => killGroup(group);

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < MAX_STDERR_BYTES) stderr += text.slice(0, MAX_STDERR_BYTES - stderr.length);
  });
  const exited = new Promise<GitHttpExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, killed: group.killed, stderr }));
    // A child that could not start emits 'error' and no 'close'; readHead reports it.
    child.on('error', (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, killed: false, stderr: error.message });
    });
  });

  options.signal?.addEventListener('abort', kill, { once: true });
  void exited.then(() => options.signal?.removeEventListener('abort', kill));
  if (options.signal?.aborted === true) kill();

  feedRequestBody(request.body, child.stdin, kill);

  try {
    const { head, rest } = await readHead(child.stdout, child, () => stderr);
    const body = new PassThrough();
    body.on('close', () => {
      if (!body.readableEnded) {
        kill();
        child.stdout.destroy();
      }
    });
    if (rest.length > 0) body.write(rest);
    child.stdout.pipe(body);
    return { ...head, body, exited };
  } catch (error) {
    kill();
    child.stdout.destroy();
    throw error;
  }
}

/** Streams the client's body into the CGI's stdin; a body that breaks off kills the child. */
function feedRequestBody(body: Readable | null, stdin: Writable, kill: () => void): void {
  stdin.on('error', () => {
    // The child stopped reading (it exited or answered early). Keep draining the
    // client's body so its connection can still receive the response.
    if (body) {
      body.unpipe();
      body.resume();
    }
  });
  if (!body) {
    stdin.end();
    return;
  }
  body.once('error', kill);
  body.once('close', () => {
    if (!body.readableEnded) kill();
  });
  body.pipe(stdin);
}

function readHead(
  stdout: Readable,
  child: ReturnType<typeof spawn>,
  stderr: () => string,
): Promise<{ head: CgiHead; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      child.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const start = findCgiBodyStart(buffered);
      if (start === -1) {
        if (buffered.length > MAX_CGI_HEAD_BYTES) {
          cleanup();
          reject(new Error('git http-backend sent no end of its CGI headers'));
        }
        return;
      }
      cleanup();
      stdout.pause();
      try {
        resolve({ head: parseCgiHead(buffered.subarray(0, start).toString('latin1')), rest: buffered.subarray(start) });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`git http-backend ended before its CGI headers: ${stderr().trim().slice(0, 500)}`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new Error(`could not run git http-backend: ${error.message}`, { cause: error }));
    };
    stdout.on('data', onData);
    stdout.once('end', onEnd);
    child.once('error', onError);
  });
}
