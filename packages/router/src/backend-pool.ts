/**
 * One keep-alive connection pool (an `http.Agent`) per backend, created once and kept
 * across table updates while the backend stays; retired when it leaves the table.
 * Also the short-lived "failing" marks round robin uses to skip a backend that just
 * refused a connection.
 */
import { Agent } from 'node:http';
import type { Socket } from 'node:net';

import type { Backend, RouteTable } from './route-table.js';

/**
 * An agent that can be retired: its idle sockets close at once, and sockets still
 * carrying a request close when that request is done instead of going back to the pool.
 */
class BackendAgent extends Agent {
  #retired = false;

  override keepSocketAlive(socket: Socket): boolean {
    if (this.#retired) return false;
    // @types/node says void; node returns false when the app's keep-alive hint is too short to reuse.
    return (super.keepSocketAlive(socket) as unknown) !== false;
  }

  /** Requests under way or queued on this agent. */
  busy(): boolean {
    const count = (groups: NodeJS.ReadOnlyDict<unknown[]>): number =>
      Object.values(groups).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    return count(this.sockets) + count(this.requests) > 0;
  }

  retire(): void {
    this.#retired = true;
    for (const sockets of Object.values(this.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }
}

export interface BackendPoolOptions {
  /** Connections per backend at most; further requests queue in the agent. */
  readonly maxSockets: number;
  /** Idle pooled connections close after this (or the app's own `Keep-Alive: timeout` hint, less 1 s). */
  readonly idleSocketTimeoutMs: number;
  /** How long a backend that refused a connection is skipped by round robin. */
  readonly failingMarkMs: number;
}

export interface BackendPool {
  agentFor(backend: Backend): Agent;
  /** Keeps the agents of backends still in `table`, retires the others, forgets failing marks. */
  sync(table: RouteTable): void;
  markFailing(backend: Backend): void;
  /** Backend ids marked failing now (expired marks are dropped first). */
  failing(): ReadonlyMap<string, number>;
  /** Whether requests to this backend (in the table or retired from it) are under way. */
  busy(backendId: string): boolean;
  /** Retires every agent. */
  close(): void;
}

function backendKey(backend: Backend): string {
  return `${backend.id}@${backend.host}:${String(backend.port)}`;
}

export function createBackendPool(options: BackendPoolOptions): BackendPool {
  const agents = new Map<string, BackendAgent>();
  /** Agents by backend id, retired ones included until their last request ends (for `busy`). */
  const byId = new Map<string, BackendAgent>();
  /** id → time (ms) the mark expires. */
  const marks = new Map<string, number>();

  const newAgent = (): BackendAgent =>
    new BackendAgent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      // Reuse the most recently used connection: fewer sockets stay warm, fewer go stale.
      scheduling: 'lifo',
      // Also what lets node honour the app's `Keep-Alive: timeout=N` hint (it only ever shortens this).
      timeout: options.idleSocketTimeoutMs,
    });

  return {
    agentFor(backend) {
      const key = backendKey(backend);
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = newAgent();
        agents.set(key, agent);
        byId.set(backend.id, agent);
      }
      return agent;
    },

    sync(table) {
      const keep = new Set<string>();
      for (const app of table.apps.values()) {
        for (const backend of app.backends) keep.add(backendKey(backend));
      }
      for (const [key, agent] of agents) {
        if (keep.has(key)) continue;
        agent.retire();
        agents.delete(key);
      }
      marks.clear();
      for (const [id, agent] of byId) {
        if (![...agents.values()].includes(agent) && !agent.busy()) byId.delete(id);
      }
    },

    busy(backendId) {
      const agent = byId.get(backendId);
      if (!agent) return false;
      if (agent.busy()) return true;
      if (![...agents.values()].includes(agent)) byId.delete(backendId);
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
      for (const agent of agents.values()) agent.retire();
      agents.clear();
      byId.clear();
      marks.clear();
    },
  };
}
