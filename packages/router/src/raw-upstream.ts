/**
 * Keep-alive TCP connections to web processes for the router's fast path: plain sockets
 * the fast path writes request bytes to and reads answer bytes from, pooled per backend
 * (most recently used first, so idle ones age out), at most `maxSockets` per backend with
 * the rest queued, closed after `idleSocketTimeoutMs` idle (or the app's own
 * `Keep-Alive: timeout=N`, less a second, as node's agent and undici trust it). The idle
 * deadline is checked when a connection is taken again, and a sweep (`UpstreamPool.sweep`,
 * the router's, once a second) closes the ones nobody took: no timer per request.
 *
 * Each socket's listeners are attached once, when it is made, and pass events to whoever
 * holds it now (an `UpstreamUser`): a request costs no listener churn.
 */
import { connect, type Socket } from 'node:net';

import type { Backend, RouteTable } from './route-table.js';

/** Who holds a connection: the fast path's request under way. */
export interface UpstreamUser {
  /** The connection is ready (made now, or reused); `connectMs` is 0 for a reused one. */
  onUpstreamReady(connection: UpstreamConnection, connectMs: number): void;
  /** No connection could be made (refused, unreachable, timed out: `code` says). */
  onUpstreamFailed(err: NodeJS.ErrnoException): void;
  /** Bytes from the app: a view of a shared buffer, valid during this call only. */
  onUpstreamData(chunk: Buffer): void;
  /** The app ended or reset the connection (`err` when reset). */
  onUpstreamClosed(err: Error | undefined): void;
  onUpstreamDrain(): void;
}

export interface UpstreamPoolOptions {
  readonly maxSockets: number;
  readonly idleSocketTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** The one buffer every upstream connection reads into (a read is handled before the next). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Thrown to a waiter when the connect timeout passes: the router's H19. */
export const CONNECT_TIMEOUT = 'PAAS_CONNECT_TIMEOUT';

export class UpstreamConnection {
  readonly socket: Socket;
  readonly backend: Backend;
  user: UpstreamUser | undefined;
  /** The app's keep-alive hint from its last answer, in ms. */
  idleHintMs: number | undefined;
  /** While idle: when it must no longer be used (ms since the epoch). */
  idleUntil = 0;
  readonly #slot: BackendSlot;

  constructor(socket: Socket, backend: Backend, slot: BackendSlot) {
    this.socket = socket;
    this.backend = backend;
    this.#slot = slot;
    socket.setNoDelay(true);
    socket.on('drain', this.#onDrain);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  /** Gives the connection back: kept for the next request if `reusable`, else closed. */
  release(reusable: boolean): void {
    this.user = undefined;
    this.#slot.release(this, reusable && !this.socket.destroyed && this.socket.readyState === 'open');
  }

  /**
   * The socket's `onread` callback: `bytes` of `buffer` were read. The buffer is shared by
   * every connection and refilled by the next read, so the user must copy what it keeps.
   */
  readonly onRead = (bytes: number, buffer: Buffer): boolean => {
    const user = this.user;
    // Bytes from an app nobody asked: the connection is out of step, so it goes.
    if (user === undefined) this.socket.destroy();
    else user.onUpstreamData(buffer.subarray(0, bytes));
    return true;
  };

  readonly #onDrain = (): void => {
    this.user?.onUpstreamDrain();
  };

  readonly #onEnd = (): void => {
    const user = this.user;
    this.user = undefined;
    // Half-closed by the app: nothing more can be sent on it either.
    this.socket.destroy();
    user?.onUpstreamClosed(undefined);
  };

  readonly #onError = (err: Error): void => {
    const user = this.user;
    this.user = undefined;
    user?.onUpstreamClosed(err);
  };

  readonly #onClose = (): void => {
    const user = this.user;
    this.user = undefined;
    this.#slot.forget(this);
    user?.onUpstreamClosed(undefined);
  };
}

/** One backend's connections. */
class BackendSlot {
  readonly backend: Backend;
  readonly #options: UpstreamPoolOptions;
  readonly #idle: UpstreamConnection[] = [];
  readonly #waiting: UpstreamUser[] = [];
  /** Connections open or opening, idle ones included. */
  #open = 0;
  /** Requests holding or waiting for a connection. */
  inUse = 0;
  retired = false;

  constructor(backend: Backend, options: UpstreamPoolOptions) {
    this.backend = backend;
    this.#options = options;
  }

  acquire(user: UpstreamUser): void {
    this.inUse += 1;
    let idle = this.#idle.pop();
    const now = Date.now();
    while (idle !== undefined && idle.idleUntil <= now) {
      // Past its time (the app may be closing it): never used again.
      idle.socket.destroy();
      idle = this.#idle.pop();
    }
    if (idle !== undefined) {
      idle.user = user;
      user.onUpstreamReady(idle, 0);
    } else if (this.#open < this.#options.maxSockets) {
      this.#connect(user);
    } else {
      this.#waiting.push(user);
    }
  }

  /** A waiter that no longer wants a connection (its client left). */
  cancel(user: UpstreamUser): boolean {
    const index = this.#waiting.indexOf(user);
    if (index === -1) return false;
    this.#waiting.splice(index, 1);
    this.inUse -= 1;
    return true;
  }

  release(connection: UpstreamConnection, reusable: boolean): void {
    this.inUse -= 1;
    if (!reusable || this.retired) {
      connection.socket.destroy();
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      connection.user = next;
      next.onUpstreamReady(connection, 0);
      return;
    }
    const hint = connection.idleHintMs;
    const idleMs = hint === undefined ? this.#options.idleSocketTimeoutMs : Math.max(0, Math.min(this.#options.idleSocketTimeoutMs, hint - 1_000));
    if (idleMs === 0) {
      connection.socket.destroy();
      return;
    }
    connection.idleUntil = Date.now() + idleMs;
    this.#idle.push(connection);
  }

  /** Closes the idle connections past their time. */
  sweep(now: number): void {
    // Oldest first: the stale ones are at the bottom.
    let stale = 0;
    while (stale < this.#idle.length && (this.#idle[stale] as UpstreamConnection).idleUntil <= now) stale += 1;
    for (const connection of this.#idle.splice(0, stale)) connection.socket.destroy();
  }

  /** A connection closed: off the idle list, and its place goes to a waiter. */
  forget(connection: UpstreamConnection): void {
    this.#open -= 1;
    const index = this.#idle.indexOf(connection);
    if (index !== -1) this.#idle.splice(index, 1);
    const next = this.#waiting.shift();
    if (next !== undefined && !this.retired) this.#connect(next);
    else if (next !== undefined) this.#fail(next, Object.assign(new Error('the web process left the route table'), { code: 'ECONNREFUSED' }));
  }

  /** The request no longer holds a place here, and may ask again (a retry). */
  #fail(user: UpstreamUser, err: NodeJS.ErrnoException): void {
    this.inUse -= 1;
    user.onUpstreamFailed(err);
  }

  retire(): void {
    this.retired = true;
    for (const connection of this.#idle.splice(0)) connection.socket.destroy();
  }

  #connect(user: UpstreamUser): void {
    this.#open += 1;
    const startedAt = Date.now();
    // Reads land in one shared buffer and go straight to the connection's user (`onRead`), with
    // no stream machinery and no buffer allocated per read.
    const reader: { connection?: UpstreamConnection } = {};
    const socket = connect({
      host: this.backend.host,
      port: this.backend.port,
      onread: { buffer: READ_BUFFER, callback: (bytes, buffer) => reader.connection?.onRead(bytes, buffer as Buffer) ?? true },
    });
    const connection = new UpstreamConnection(socket, this.backend, this);
    reader.connection = connection;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      this.#fail(user, Object.assign(new Error('connect timed out'), { code: CONNECT_TIMEOUT }));
    }, this.#options.connectTimeoutMs);
    const onFailed = (err: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#fail(user, err);
    };
    socket.once('error', onFailed);
    socket.once('connect', () => {
      socket.removeListener('error', onFailed);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.user = user;
      user.onUpstreamReady(connection, Date.now() - startedAt);
    });
  }
}

function slotKey(backend: Backend): string {
  return `${backend.id}@${backend.host}:${String(backend.port)}`;
}

export class UpstreamPool {
  readonly #options: UpstreamPoolOptions;
  readonly #slots = new Map<string, BackendSlot>();
  /** Slots by backend id, retired ones included until their last request ends (for `busy`). */
  readonly #byId = new Map<string, BackendSlot>();

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
  }

  /** Calls `user.onUpstreamReady` (now or later) or `user.onUpstreamFailed`. */
  acquire(backend: Backend, user: UpstreamUser): void {
    const key = slotKey(backend);
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = new BackendSlot(backend, this.#options);
      this.#slots.set(key, slot);
      this.#byId.set(backend.id, slot);
    }
    slot.acquire(user);
  }

  /** Takes back a request's place in a backend's queue; false if it was not waiting. */
  cancel(backend: Backend, user: UpstreamUser): boolean {
    return this.#slots.get(slotKey(backend))?.cancel(user) ?? false;
  }

  /** Keeps the connections of backends still in `table`; the others close once their requests end. */
  sync(table: RouteTable): void {
    const keep = new Set<string>();
    for (const app of table.apps.values()) for (const backend of app.backends) keep.add(slotKey(backend));
    for (const [key, slot] of this.#slots) {
      if (keep.has(key)) continue;
      slot.retire();
      this.#slots.delete(key);
    }
    for (const [id, slot] of this.#byId) if (slot.retired && slot.inUse === 0) this.#byId.delete(id);
  }

  /** Whether requests to this backend are under way or waiting. */
  busy(backendId: string): boolean {
    return (this.#byId.get(backendId)?.inUse ?? 0) > 0;
  }

  /** Closes idle connections past their time (the router calls this once a second). */
  sweep(now: number): void {
    for (const slot of this.#slots.values()) slot.sweep(now);
  }

  close(): void {
    for (const slot of this.#slots.values()) slot.retire();
    this.#slots.clear();
    this.#byId.clear();
  }
}
