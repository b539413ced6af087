import { connect } from 'node:net';

/** True once something accepts TCP connections at the address. */
export function acceptsConnections(address: { host: string; port: number }, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const PROBE_MIN_PAUSE_MS = 2;
const PROBE_MAX_PAUSE_MS = 25;
/** The pause is this fraction of the time the process has been booting. */
const PROBE_PAUSE_SHARE = 1 / 40;

/**
 * How long to wait before probing a booting web process again, `bootedMs` after it was
 * started. A process is routed at the first probe after it binds, so the pause is what a
 * rollout loses: kept to 2.5% of the boot so far (2 ms for a Node app's ~70 ms boot),
 * growing to 25 ms for slow boots. A refused connect to a local port costs tens of
 * microseconds, so this is about 100 probes in a process's first second, then 40 a second.
 */
export function probePauseMs(bootedMs: number): number {
  return Math.min(PROBE_MAX_PAUSE_MS, Math.max(PROBE_MIN_PAUSE_MS, Math.round(bootedMs * PROBE_PAUSE_SHARE)));
}
