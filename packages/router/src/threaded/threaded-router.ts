/**
 * The builtin router run in a worker thread (`router-thread.ts`), seen from paasd's main
 * thread: the same table, drains and certificates as `createRouter`, over messages.
 *
 * Messages arrive in the order they were sent, so a drain asked after an update is
 * answered by a router that already has the new table. If the thread dies (a bug, an
 * out-of-memory), a new one starts after a short wait with the last table and certificate
 * and listens on the same ports again: the edge is down for that moment, not until paasd
 * restarts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

import type { AccessEntry } from '../access-line.js';
import type { RouteTable, TlsCertificate } from '../route-table.js';
import type { RouterLogger } from '../router.js';
import type { FromThread, ThreadInit, ToThread } from './thread-messages.js';

export interface ThreadedRouterOptions extends Omit<ThreadInit, 'certificate'> {
  readonly certificate: TlsCertificate;
  /** Each request's access line and its fields, in batches a few milliseconds late. */
  readonly onAccessLog: (app: string, line: string, entry: AccessEntry) => void;
  readonly logger?: RouterLogger & { info?(fields: object, message: string): void };
  /** Called with each thread started (the first and any restart); tests end one to see the restart. */
  readonly onThread?: (thread: Worker) => void;
}

export interface ThreadedRouter {
  /** Starts serving on `host`; 0 is any free port. Returns the ports. */
  listen(host: string, ports: { port: number; tlsPort: number }): Promise<{ port: number; tlsPort: number }>;
  update(table: RouteTable): void;
  /** Resolves once the thread serves every table given so far. */
  applied(): Promise<void>;
  drain(id: string, timeoutMs?: number): Promise<void>;
  setPlatformCertificate(certificate: TlsCertificate): void;
  close(): Promise<void>;
}

/** The first restart waits this long, doubling while the thread keeps dying soon after its start. */
const RESTART_MS = 100;
const RESTART_MAX_MS = 5_000;
/** A thread that ran this long before dying is restarted after the shortest wait again. */
const STABLE_MS = 30_000;
/** How much later than its own deadline a drain's answer may come before it is not waited for. */
const ANSWER_GRACE_MS = 1_000;
/** How long close waits for requests under way before it ends the thread. */
const CLOSE_WAIT_MS = 30_000;
/** The thread's own heap: requests make short-lived objects only. */
const THREAD_LIMITS = { maxOldGenerationSizeMb: 256 };

interface Pending {
  resolve(ports?: { port: number; tlsPort: number }): void;
  reject(error: Error): void;
}

export function createThreadedRouter(options: ThreadedRouterOptions): ThreadedRouter {
  const { onAccessLog, logger } = options;
  let certificate = options.certificate;
  let table: RouteTable | undefined;
  let seq = 0;
  let appliedSeq = 0;
  let waiting: { seq: number; resolve(): void }[] = [];
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let listening: { host: string; port: number; tlsPort: number } | undefined;
  let closing = false;
  let restartMs = RESTART_MS;
  let restartTimer: NodeJS.Timeout | undefined;
  let worker: Worker;
  let alive = false;
  let startedAt = 0;

  const send = (message: ToThread): void => {
    worker.postMessage(message);
  };
  const ask = (message: (id: number) => ToThread): Promise<{ port: number; tlsPort: number } | undefined> =>
    new Promise((resolve, reject) => {
      // Between a thread's death and its restart nothing would answer (its exit has settled what it owed).
      if (!alive) {
        reject(new Error('the router thread is not running'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send(message(id));
    });
  const settleApplied = (): void => {
    const still: typeof waiting = [];
    for (const wait of waiting) {
      if (wait.seq <= appliedSeq) wait.resolve();
      else still.push(wait);
    }
    waiting = still;
  };

  const onMessage = (message: FromThread): void => {
    switch (message.type) {
      case 'access':
        for (const [app, line, entry] of message.records) {
          try {
            onAccessLog(app, line, entry);
          } catch (err) {
            logger?.error({ err, app }, 'access log callback failed');
          }
        }
        return;
      case 'log':
        logger?.[message.level](message.fields, message.message);
        return;
      case 'applied':
        appliedSeq = message.seq;
        settleApplied();
        return;
      case 'done':
        pending.get(message.id)?.resolve(message.ports);
        pending.delete(message.id);
        return;
      case 'failed': {
        const error = Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code });
        pending.get(message.id)?.reject(error);
        pending.delete(message.id);
        return;
      }
    }
  };

  const start = (): void => {
    const { onAccessLog: _log, logger: _logger, onThread: _onThread, ...settings } = options;
    const init: ThreadInit = { ...settings, certificate };
    worker = new Worker(new URL('./router-thread.js', import.meta.url), { workerData: init, resourceLimits: THREAD_LIMITS });
    alive = true;
    startedAt = Date.now();
    options.onThread?.(worker);
    worker.on('message', onMessage);
    worker.on('error', (err) => {
      logger?.error({ err }, 'the router thread failed');
    });
    worker.on('exit', (code) => {
      alive = false;
      // What the dead thread was doing is over: no request under way to drain, a listen not done.
      for (const [id, wait] of pending) {
        if (closing) wait.resolve();
        else wait.reject(new Error(`the router thread exited (code ${String(code)}) before answering`));
        pending.delete(id);
      }
      if (closing) return;
      restartMs = Date.now() - startedAt >= STABLE_MS ? RESTART_MS : restartMs;
      logger?.error({ code, restartInMs: restartMs }, 'the router thread exited; starting a new one');
      restartTimer = setTimeout(restart, restartMs);
      restartMs = Math.min(restartMs * 2, RESTART_MAX_MS);
    });
  };

  const restart = (): void => {
    restartTimer = undefined;
    if (closing) return;
    start();
    if (table !== undefined) send({ type: 'update', seq, table });
    if (listening === undefined) return;
    const { host, port, tlsPort } = listening;
    ask((id) => ({ type: 'listen', id, host, port, tlsPort })).then(
      () => logger?.info?.({ port, tlsPort }, 'the router thread listens again'),
      (err: unknown) => {
        logger?.error({ err }, 'the new router thread could not listen');
      },
    );
  };

  start();

  return {
    async listen(host, ports) {
      const answer = await ask((id) => ({ type: 'listen', id, host, port: ports.port, tlsPort: ports.tlsPort }));
      if (answer === undefined) throw new Error('the router thread did not say its ports');
      listening = { host, ...answer };
      return answer;
    },
    update(next) {
      table = next;
      seq += 1;
      send({ type: 'update', seq, table: next });
    },
    applied() {
      if (appliedSeq >= seq) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ seq, resolve }));
    },
    async drain(id, timeoutMs = 30_000) {
      try {
        // The thread gives up at the deadline; a thread that stopped answering is not waited for beyond it.
        await withDeadline(ask((request) => ({ type: 'drain', id: request, backend: id, timeoutMs })), timeoutMs + ANSWER_GRACE_MS);
      } catch {
        // The thread died: no request is under way to anything.
      }
    },
    setPlatformCertificate(next) {
      certificate = next;
      send({ type: 'certificate', certificate: next });
    },
    async close() {
      if (closing) return;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const done = alive ? ask((id) => ({ type: 'close', id })) : undefined;
      closing = true;
      // Requests under way finish first, as with the router in the main thread; a hung thread is ended anyway.
      await withDeadline(done, CLOSE_WAIT_MS).catch(() => undefined);
      await worker.terminate();
      for (const wait of waiting) wait.resolve();
      waiting = [];
    },
  };
}

/** `promise`, or undefined once `ms` have passed (the timer does not keep the process up). */
function withDeadline<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  return promise === undefined ? Promise.resolve(undefined) : Promise.race([promise, sleep(ms, undefined, { ref: false })]);
}
