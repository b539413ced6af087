/** `paas ps`: what an app's processes are doing, from what the manager observes (pure). */
import type { ObservedProcess } from './convergence-plan.js';
import type { DesiredState } from './desired-state.js';
import type { ProcessStatus } from './manager-types.js';

/**
 * One status per observed process, sorted by name: crashed, up (a web process answering on
 * its port; any other once running) or starting, the command of the release it runs, and for
 * a crashed one waiting out its backoff, when it is started again.
 */
export function processStatuses(
  app: string,
  processes: readonly ObservedProcess[],
  desired: DesiredState,
  nextAttemptAt: (name: string) => number | undefined,
): ProcessStatus[] {
  const spec = desired.app(app);
  return processes
    .map((p): ProcessStatus => {
      const next = nextAttemptAt(p.name);
      const state: ProcessStatus['state'] = p.status === 'exited' ? 'crashed' : p.ready ? 'up' : 'starting';
      const command = (p.release === spec?.current?.version ? spec.current : desired.release(app, p.release))?.processTypes[p.type] ?? '';
      return {
        name: p.name,
        type: p.type,
        state,
        release: p.release,
        command,
        startedAt: p.startedAt,
        ...(state === 'crashed' && next !== undefined ? { nextRestartAt: new Date(next).toISOString() } : {}),
        ...(p.node === undefined ? {} : { node: p.node }),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
