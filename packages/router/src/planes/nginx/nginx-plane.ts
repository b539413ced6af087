/**
 * The nginx data plane: applies the route table by rendering nginx's configuration,
 * checking it with `nginx -t`, and reloading nginx gracefully (SIGHUP: new workers take
 * new connections, old ones finish the requests they hold). Access lines come back through
 * a buffered log file paasd follows (`access-log-file.ts`) and go into the app's log in the
 * builtin router's format. nginx runs as this plane's child process; `close()` ends it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { formatAccessLine, type AccessEntry } from '../../access-line.js';
import { createRouteTable, type RouteTable, type TlsCertificate } from '../../route-table.js';
import { ROUTER_ERRORS, type RouterErrorCode } from '../../router-errors.js';
import type { RouterLogger } from '../../router.js';
import { followAccessLog } from './access-log-file.js';
import { createBootHold } from './boot-hold.js';
import { parseNginxAccessLine, renderNginxConfig } from './nginx-config.js';

const run = promisify(execFile);

export const NGINX = '/usr/sbin/nginx';

export interface NginxPlaneOptions {
  readonly domain: string;
  /** A directory of its own: nginx.conf, certificates, pages, temp files. */
  readonly runDir: string;
  readonly host: string;
  readonly httpPort: number;
  readonly tlsPort: number;
  readonly publicTlsPort?: number;
  readonly platformCertificate: TlsCertificate;
  readonly onAccessLog: (app: string, line: string, entry: AccessEntry) => void;
  readonly logger?: RouterLogger;
  readonly nginx?: string;
  /** How long a booting app's request is held for its first process before H20 (default 75 s, as the builtin router). */
  readonly bootTimeoutMs?: number;
}

export interface NginxPlane {
  /** Applies the table: rendered, checked and reloaded in the background, one reload at a time; tables given meanwhile are folded into the next one. */
  update(table: RouteTable): void;
  /** Another platform certificate, from the next reload on (applied at once). */
  setPlatformCertificate(certificate: TlsCertificate): void;
  table(): RouteTable;
  /** Resolves once every table given so far is what nginx serves. */
  applied(): Promise<void>;
  /** Resolves once the workers that served before the last reload have finished their requests. */
  drain(id: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createNginxPlane(options: NginxPlaneOptions): Promise<NginxPlane> {
  const nginx = options.nginx ?? NGINX;
  const runDir = options.runDir;
  const certDir = join(runDir, 'certs');
  for (const dir of [runDir, certDir, ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => join(runDir, 'tmp', kind))]) {
    await mkdir(dir, { recursive: true });
  }
  // Only nginx's master reads the keys; pages are in the configuration, so workers read no file here.
  await chmod(certDir, 0o700);

  const certificateFile = (certificate: TlsCertificate): string => join(certDir, `${createHash('sha256').update(certificate.chain).digest('hex').slice(0, 32)}.pem`);
  const writeCertificate = async (certificate: TlsCertificate): Promise<string> => {
    const file = certificateFile(certificate);
    if (!existsSync(file)) {
      await writeFile(`${file}.tmp`, `${certificate.key.trim()}\n${certificate.chain.trim()}\n`, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    }
    return file;
  };
  let platformCertificateFile = await writeCertificate(options.platformCertificate);

  const accessLogFile = join(runDir, 'access.log');

  const bootTimeoutMs = options.bootTimeoutMs ?? 75_000;
  const hold = await createBootHold({ host: '127.0.0.1', timeoutMs: bootTimeoutMs });

  let current = createRouteTable();
  const confFile = join(runDir, 'nginx.conf');
  const render = async (table: RouteTable): Promise<void> => {
    for (const certificate of table.certificates.values()) await writeCertificate(certificate);
    const text = renderNginxConfig(table, {
      domain: options.domain, host: options.host, httpPort: options.httpPort, tlsPort: options.tlsPort,
      publicTlsPort: options.publicTlsPort ?? options.tlsPort, runDir, certificateFile, platformCertificateFile, accessLogFile,
      holdPort: hold.port, holdTimeoutS: Math.ceil(bootTimeoutMs / 1000),
    });
    await writeFile(`${confFile}.next`, text);
    // nginx -t reads the whole configuration, certificates included: a bad one never replaces a good one.
    await run(nginx, ['-t', '-q', '-p', runDir, '-c', `${confFile}.next`]);
    await rename(`${confFile}.next`, confFile);
  };

  await render(current);
  await stopLeftover(runDir, confFile);
  // Lines a previous nginx left unread belong to requests answered before this start.
  for (const file of [accessLogFile, `${accessLogFile}.1`]) await rm(file, { force: true });
  const child: ChildProcess = spawn(nginx, ['-p', runDir, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(options.host, options.tlsPort, child, () => stderr);
  const accessLog = await followAccessLog(accessLogFile, {
    onLine: (line) => relayAccessLine(line, options),
    onError: (err) => options.logger?.error({ err }, 'reading nginx access log failed'),
    reopen: () => child.kill('SIGUSR1'),
  });

  /** The table waiting to be applied; updates that arrive during a reload replace it (only the newest matters). */
  let wanted: RouteTable | undefined;
  let wantedCertificate: TlsCertificate | undefined;
  /** The reload loop while it runs: one reload at a time, each of the newest table. */
  let reloading: Promise<void> | undefined;
  /** Worker pids serving before the newest reload: `drain` waits for them to be gone. */
  let retiring: number[] = [];
  const reload = async (table: RouteTable): Promise<void> => {
    const before = workers(child.pid);
    if (wantedCertificate !== undefined) {
      platformCertificateFile = await writeCertificate(wantedCertificate);
      wantedCertificate = undefined;
    }
    await render(table);
    child.kill('SIGHUP');
    // Applied once a new worker serves and every old one has stopped accepting (nginx renames
    // a worker that is finishing its requests to "worker process is shutting down").
    const deadline = Date.now() + 10_000;
    const settled = (): boolean => {
      const now = workers(child.pid);
      return now.some((pid) => !before.includes(pid)) && before.every((pid) => !now.includes(pid) || isShuttingDown(pid));
    };
    while (Date.now() < deadline && !settled()) await sleep(10);
    retiring = before;
  };
  const reloadLoop = async (): Promise<void> => {
    while (wanted !== undefined) {
      const table = wanted;
      wanted = undefined;
      try {
        await reload(table);
      } catch (err) {
        options.logger?.error({ err }, 'nginx configuration refused; the previous one stays');
      }
    }
    reloading = undefined;
  };
  const applied = async (): Promise<void> => {
    while (reloading !== undefined) await reloading;
  };

  const update = (table: RouteTable): void => {
    current = table;
    // Held requests go on as soon as the table has their app's process, before nginx reloads.
    hold.update(table);
    // A burst of changes (a hundred apps created, a scale) costs one reload per loop turn, not one per change.
    wanted = table;
    reloading ??= reloadLoop();
  };
  return {
    update,
    setPlatformCertificate(certificate) {
      wantedCertificate = certificate;
      update(current);
    },
    table: () => current,
    applied,
    async drain(_id, timeoutMs = 30_000) {
      await applied();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && retiring.some((pid) => isAlive(pid))) await sleep(20);
    },
    async close() {
      await applied();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      // nginx flushes its buffers as it exits: read them last.
      await accessLog.close();
      await hold.close();
    },
  };
}

/**
 * An nginx left by a paasd that was killed (SIGKILL, a crash) still holds the ports: one whose
 * pid file is in this run dir and whose command line names this configuration is asked to quit.
 */
async function stopLeftover(runDir: string, confFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(runDir, 'nginx.pid'), 'utf8').trim());
  } catch {
    return; // no pid file: nothing was left running
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8');
  } catch {
    return; // that process is gone
  }
  if (!cmdline.startsWith('nginx: master process') || !cmdline.includes(confFile)) return;
  process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
}

/** nginx's worker pids: the master's children. */
function workers(master: number | undefined): number[] {
  if (master === undefined) return [];
  try {
    return readFileSync(`/proc/${String(master)}/task/${String(master)}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // the master is gone: no workers
  }
}

function isShuttingDown(pid: number): boolean {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return true; // gone already
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: it exited
  }
}

async function waitForPort(host: string, port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${String(child.exitCode)}): ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${host}:${String(port)}: ${output()}`);
    await sleep(20);
  }
}

/** A line of nginx's access log (the `paas` format) as an access line in the app's log. */
function relayAccessLine(line: string, options: NginxPlaneOptions): void {
  const entry = parseNginxAccessLine(line);
  if (entry === undefined || entry.app === '') return;
  let code = entry.code;
  if (code === '' && entry.status === 504) code = 'H12';
  else if (code === '' && entry.status === 503 && entry.upstreamStatus !== '' && entry.upstreamStatus !== '-') code = 'H21';
  const error = code === '' ? undefined : ROUTER_ERRORS[code as RouterErrorCode];
  const access: AccessEntry = {
    method: entry.method, path: entry.path, host: entry.host, requestId: entry.requestId, fwd: entry.fwd,
    ...(entry.dyno === '' ? {} : { dyno: entry.dyno }),
    ...(entry.connectMs === undefined ? {} : { connectMs: entry.connectMs }),
    ...(entry.serviceMs === undefined ? {} : { serviceMs: entry.serviceMs }),
    status: entry.status, bytes: entry.bytes,
    ...(error === undefined ? {} : { error: { code: error.code, desc: error.desc } }),
  };
  try {
    // The entry too, as the builtin router gives it: the metrics count requests from it.
    options.onAccessLog(entry.app, formatAccessLine(access), access);
  } catch (err) {
    options.logger?.error({ err, app: entry.app }, 'access log callback failed');
  }
}
