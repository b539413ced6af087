import type { DeployResult, ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { Logger } from '../logger.js';

/**
 * Takes a pending release live through the process manager, one release at a time
 * per app, and records how it ended: succeeded (now current) or failed (the previous
 * release keeps serving).
 */
/** A line in the app's own log stream (`paas[deploy]`), for users rather than operators. */
export type AppLog = (app: string, process: string, line: string) => void;

export function createReleaseDeployer(deps: { store: Store; manager: ProcessManager; logger: Logger; appLog?: AppLog }) {
  const appLog: AppLog = deps.appLog ?? (() => undefined);
  const queues = new Map<string, Promise<unknown>>();

  async function deployNow(app: string, version: number, say: (line: string) => void): Promise<DeployResult> {
    const release = deps.store.deploys.findRelease(app, String(version));
    if (release.status !== 'pending') return { ok: release.status === 'succeeded' };
    const log = deps.logger.child({ app, release: version });
    let recorded = false;
    const record = (outcome: DeployResult): void => {
      recorded = true;
      if (deps.store.apps.get(app)) deps.store.deploys.finishRelease(app, version, outcome.ok ? 'succeeded' : 'failed');
    };
    appLog(app, 'deploy', `Deploying v${String(version)}`);
    // The release phase's lines (the only ones a deploy says), kept with the release.
    const said: string[] = [];
    const tell = (line: string): void => {
      said.push(line);
      say(line);
    };
    let result: DeployResult;
    try {
      result = await deps.manager.deploy(app, version, tell, record);
    } catch (error) {
      log.error({ err: error }, 'deploy crashed');
      result = { ok: false, message: 'The deploy stopped because of an error in paas itself; it has been logged.' };
    }
    if (!recorded) record(result);
    if (said.length > 0 && deps.store.apps.get(app)) {
      deps.store.releaseOutputs.set(release.id, `${said.join('\n')}\n${result.ok ? '' : `${result.message ?? 'The release failed.'}\n`}`);
    }
    if (result.ok) {
      log.info('release deployed');
      appLog(app, 'deploy', `Release v${String(version)} is live`);
    } else {
      log.warn({ reason: result.message }, 'release failed');
      appLog(app, 'deploy', `Release v${String(version)} failed: ${result.message ?? 'its processes did not start'}; the previous release keeps serving`);
    }
    return result;
  }

  return {
    /** Deploys `version` after any deploy of the same app already queued. */
    deploy(app: string, version: number, say: (line: string) => void = () => undefined): Promise<DeployResult> {
      const run = (queues.get(app) ?? Promise.resolve()).catch(() => undefined).then(() => deployNow(app, version, say));
      queues.set(app, run);
      void run.finally(() => {
        if (queues.get(app) === run) queues.delete(app);
      });
      return run;
    },
  };
}

export type ReleaseDeployer = ReturnType<typeof createReleaseDeployer>;
