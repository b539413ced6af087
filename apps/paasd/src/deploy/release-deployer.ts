import type { DeployResult, ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { Logger } from '../logger.js';

/** A line in the app's own log stream (`paas[deploy]`), for users rather than operators. */
export type AppLog = (app: string, process: string, line: string) => void;

/**
 * Takes pending releases live through the process manager, one at a time per app, and
 * records how each ended: succeeded (now current), failed (with why), or superseded.
 * When its turn comes and a newer release is already waiting, a release is superseded
 * rather than rolled out: the newer one carries its config (and code), so rolling the
 * older one out first would only cost a restart. The newest release is what ends up serving.
 */
export function createReleaseDeployer(deps: { store: Store; manager: ProcessManager; logger: Logger; appLog?: AppLog }) {
  const appLog: AppLog = deps.appLog ?? (() => undefined);
  const queues = new Map<string, Promise<unknown>>();
  const exists = (app: string): boolean => deps.store.apps.get(app) !== undefined;
  /** A superseded release's result: how the release that took its place ended. */
  const supersededBy = (reason: string, final: DeployResult): DeployResult => ({
    ...final,
    message: `${reason}${final.ok ? ', which is live' : `, which failed: ${final.message ?? ''}`}`,
  });

  /** How a release that is no longer pending ended, as a deploy result. */
  function outcomeOf(app: string, version: number): DeployResult {
    const release = deps.store.deploys.findRelease(app, String(version));
    if (release.status === 'succeeded') return { ok: true };
    if (release.status !== 'superseded') return { ok: false, message: release.reason ?? `v${String(version)} did not go live.` };
    // Superseded: it ended as the release that took its place did.
    const next = deps.store.deploys.listReleases(app).filter((r) => r.version > version && r.status !== 'superseded').at(-1);
    if (!next || next.status === 'pending') return { ok: true, message: release.reason ?? '' };
    const final = outcomeOf(app, next.version);
    return supersededBy(release.reason ?? 'superseded', final);
  }

  async function deployNow(app: string, version: number, say: (line: string) => void): Promise<DeployResult> {
    if (!exists(app)) return { ok: false, message: `${app} was destroyed.` };
    const release = deps.store.deploys.findRelease(app, String(version));
    if (release.status !== 'pending') return outcomeOf(app, version);
    // A newer release already went live: rolling this one out would take its changes back.
    const current = deps.store.deploys.currentRelease(app).version;
    if (current > version) {
      deps.store.deploys.finishRelease(app, version, { status: 'superseded', reason: `superseded by v${String(current)}` });
      return outcomeOf(app, version);
    }
    const newest = deps.store.deploys.newestPending(app);
    if (newest && newest.version > version) {
      const reason = `superseded by v${String(newest.version)}`;
      deps.store.deploys.finishRelease(app, version, { status: 'superseded', reason });
      appLog(app, 'deploy', `Release v${String(version)} ${reason}, made before it went live`);
      const final = await deployNow(app, newest.version, say);
      return supersededBy(reason, final);
    }
    return rollOut(app, release.id, version, say);
  }

  async function rollOut(app: string, releaseId: string, version: number, say: (line: string) => void): Promise<DeployResult> {
    const log = deps.logger.child({ app, release: version });
    let recorded = false;
    const record = (outcome: DeployResult): void => {
      recorded = true;
      if (!exists(app)) return;
      deps.store.deploys.finishRelease(
        app,
        version,
        outcome.ok ? { status: 'succeeded' } : { status: 'failed', reason: outcome.message ?? 'its processes did not start' },
      );
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
    if (result.interrupted) return result;
    if (!recorded) record(result);
    if (said.length > 0 && exists(app)) {
      deps.store.releaseOutputs.set(releaseId, `${said.join('\n')}\n${result.ok ? '' : `${result.message ?? 'The release failed.'}\n`}`);
    }
    if (result.ok) {
      log.info('release deployed');
      appLog(app, 'deploy', `Release v${String(version)} is live`);
    } else {
      log.warn({ reason: result.message }, 'release failed');
      appLog(app, 'deploy', `Release v${String(version)} failed: ${result.message ?? 'its processes did not start'}`);
    }
    return result;
  }

  return {
    /** Deploys `version` after any deploy of the same app already queued. */
    deploy(app: string, version: number, say: (line: string) => void = () => undefined): Promise<DeployResult> {
      const run = (queues.get(app) ?? Promise.resolve()).then(() =>
        deployNow(app, version, say).catch((error: unknown): DeployResult => {
          // Callers often do not wait (a config change answers at once): nothing may reject unheard.
          deps.logger.error({ err: error, app, release: version }, 'deploy failed in paas itself');
          return { ok: false, message: 'The deploy stopped because of an error in paas itself; it has been logged.' };
        }),
      );
      queues.set(app, run);
      void run.finally(() => {
        if (queues.get(app) === run) queues.delete(app);
      });
      return run;
    },
  };
}

export type ReleaseDeployer = ReturnType<typeof createReleaseDeployer>;
