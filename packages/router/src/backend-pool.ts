/**
 * One keep-alive connection pool (undici's `Pool`) per backend, created once and kept
 * across table updates while the backend stays; closed when it leaves the table (requests
 * under way finish first). Also the short-lived "failing" marks round robin uses to skip a
 * backend that just refused a connection.
 *
 * undici rather than node's `http.Agent`: profiled under wrk, the router spent most of its
 * own time in node's client side (ClientRequest, the agent's socket bookkeeping, the response
 * stream); undici's client does the same work with a fraction of the allocations.
 *
 * These pools serve only the requests the fast path hands over (a chunked upload, an
 * `Expect`, HTTP/1.0…), so undici is loaded on the first of them: loaded at start it made
 * the router's thread 2.4 MB larger (measured in a bare node; its HTTP parser is
 * WebAssembly), memory most platforms would never use.
 */
import type { Dispatcher, Pool } from 'undici';

import type { Backend, RouteTable } from './route-table.js';

export interface BackendPoolOptions {
  /** Connections per backend at most; further requests queue in the pool. */
  readonly maxSockets: number;
  /** Idle pooled connections close after this (or the app's own `Keep-Alive: timeout` hint, less 1 s). */
  readonly idleSocketTimeoutMs: number;
  /** Time to open a connection before the attempt fails (`UND_ERR_CONNECT_TIMEOUT`, the router's H19). */
  readonly connectTimeoutMs: number;
  /** How long a backend that refused a connection is skipped by round robin. */
  readonly failingMarkMs: number;
}

/** What the exchange calls on a backend's pool. */
export type BackendDispatcher = Pick<Dispatcher, 'dispatch'>;

let poolClass: typeof Pool | undefined;
let loading: Promise<typeof Pool> | undefined;
const loadPoolClass = (): Promise<typeof Pool> =>
  (loading ??= import('undici/lib/dispatcher/pool.js').then((module) => (poolClass = module.default)));

export interface BackendPool {
  /** The backend's pool; before undici is loaded, one that dispatches once it is. */
  dispatcherFor(backend: Backend): BackendDispatcher;
  /** Keeps the pools of backends still in `table`, closes the others, forgets failing marks. */
  sync(table: RouteTable): void;
  markFailing(backend: Backend): void;
  /** Backend ids marked failing now (expired marks are dropped first). */
  failing(): ReadonlyMap<string, number>;
  /** Whether requests to this backend (in the table or retired from it) are under way. */
  busy(backendId: string): boolean;
  /** Closes every pool. */
  close(): void;
}

function backendKey(backend: Backend): string {
  return `${backend.id}@${backend.host}:${String(backend.port)}`;
}

/** Requests under way or queued on the pool. */
function poolBusy(pool: Pool): boolean {
  return pool.stats.size > 0;
}

function retire(pool: Pool): void {
  // close() lets requests under way finish and ends idle connections; nothing waits on it here.
  pool.close().catch(() => {
    // Already closed or destroyed: nothing left to end.
  });
}

export function createBackendPool(options: BackendPoolOptions): BackendPool {
  const pools = new Map<string, Pool>();
  /** Pools by backend id, retired ones included until their last request ends (for `busy`). */
  const byId = new Map<string, Pool>();
  /** id → time (ms) the mark expires. */
  const marks = new Map<string, number>();
  const live = (pool: Pool): boolean => [...pools.values()].includes(pool);
  /** Backend id → requests waiting for undici to load (busy for `drain`, as if already sent). */
  const waiting = new Map<string, number>();

  const newPool = (PoolClass: typeof Pool, backend: Backend): Pool =>
    new PoolClass(`http://${backend.host.includes(':') ? `[${backend.host}]` : backend.host}:${String(backend.port)}`, {
      connections: options.maxSockets,
      // One request per connection at a time: a slow answer must not hold up the next request.
      pipelining: 1,
      keepAliveTimeout: options.idleSocketTimeoutMs,
      keepAliveMaxTimeout: options.idleSocketTimeoutMs,
      // As node's agent did: an app's `Keep-Alive: timeout=N` is trusted to N − 1 s.
      keepAliveTimeoutThreshold: 1_000,
      // The exchange's own first-byte timer is the H12; once answering, an app may stream for as long as it likes.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: options.connectTimeoutMs },
    });

  const dispatchWhenLoaded = (backend: Backend): BackendDispatcher => ({
    dispatch(request, handler) {
      waiting.set(backend.id, (waiting.get(backend.id) ?? 0) + 1);
      const done = (): void => {
        const left = (waiting.get(backend.id) ?? 1) - 1;
        if (left === 0) waiting.delete(backend.id);
        else waiting.set(backend.id, left);
      };
      loadPoolClass().then(
        () => {
          done();
          backendPool.dispatcherFor(backend).dispatch(request, handler);
        },
        (err: unknown) => {
          done();
          handler.onError?.(err as Error);
        },
      );
      return true;
    },
  });

  const backendPool: BackendPool = {
    dispatcherFor(backend) {
      const key = backendKey(backend);
      let pool = pools.get(key);
      if (pool === undefined) {
        if (poolClass === undefined) return dispatchWhenLoaded(backend);
        pool = newPool(poolClass, backend);
        pools.set(key, pool);
        byId.set(backend.id, pool);
      }
      return pool;
    },

    sync(table) {
      const keep = new Set<string>();
      for (const app of table.apps.values()) {
        for (const backend of app.backends) keep.add(backendKey(backend));
      }
      for (const [key, pool] of pools) {
        if (keep.has(key)) continue;
        retire(pool);
        pools.delete(key);
      }
      marks.clear();
      for (const [id, pool] of byId) {
        if (!live(pool) && !poolBusy(pool)) byId.delete(id);
      }
    },

    busy(backendId) {
      if (waiting.has(backendId)) return true;
      const pool = byId.get(backendId);
      if (!pool) return false;
      if (poolBusy(pool)) return true;
      if (!live(pool)) byId.delete(backendId);
      return false;
    },

    markFailing(backend) {
      marks.set(backend.id, Date.now() + options.failingMarkMs);
    },

    failing() {
      if (marks.size === 0) return marks;
      const now = Date.now();
      for (const [id, until] of marks) {
        if (until <= now) marks.delete(id);
      }
      return marks;
    },

    close() {
      for (const pool of pools.values()) retire(pool);
      pools.clear();
      byId.clear();
      marks.clear();
    },
  };
  return backendPool;
}
