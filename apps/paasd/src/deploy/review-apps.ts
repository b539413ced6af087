import { Writable } from 'node:stream';

import { PaasError, parseAddonService, reviewAppName } from '@paas/core';
import type { AppJson } from '@paas/core';
import type { Push, RefUpdate } from '@paas/git';
import type { ReviewAppRecord } from '@paas/store';

import type { AddonService } from '../addons/addon-service.js';
import { createAppWithRepo, destroyApp } from '../app-lifecycle.js';
import type { AppTeardownDeps } from '../app-lifecycle.js';
import type { Logger } from '../logger.js';
import type { RunOneOff } from './app-json-setup.js';
import type { BuildService } from './build-service.js';

export interface ReviewAppsDeps extends AppTeardownDeps {
  readonly builds: BuildService;
  readonly addons: AddonService;
  readonly runOneOff: RunOneOff;
  readonly logger: Logger;
}

const branchOf = (ref: string): string => ref.slice('refs/heads/'.length);

/**
 * Review apps: a push of a branch other than main to an app in a pipeline with review apps
 * on makes (or, with autodeploy, updates) the app `<pipeline>-<branch>` from app.json;
 * deleting the branch runs `pr-predestroy` and destroys it; stale ones are destroyed.
 */
export function createReviewApps(deps: ReviewAppsDeps) {
  const { store } = deps;
  let timer: NodeJS.Timeout | undefined;

  /** Whether this app's branch pushes make review apps: it is in a pipeline that has them on, and is not a review app itself. */
  function enabledFor(app: string): boolean {
    const coupling = store.pipelines.couplingOf(app);
    return coupling !== undefined && coupling.stage !== 'review' && store.reviewApps.config(coupling.pipelineId) !== undefined;
  }

  async function deploy(push: Push, update: RefUpdate, checks: { precondition: () => Promise<string | undefined>; holdLockUntil: Promise<unknown> }): Promise<number> {
    const say = (text: string): void => {
      push.output.write(text);
    };
    const coupling = store.pipelines.couplingOf(push.app);
    const settings = coupling ? store.reviewApps.config(coupling.pipelineId) : undefined;
    if (!coupling || !settings) throw new PaasError('conflict', `${push.app} does not make review apps.`);
    const branch = branchOf(update.ref);
    const actor = push.user ?? 'git';
    const existing = store.reviewApps.byBranch(coupling.pipelineId, branch);
    if (existing && !settings.autodeploy) {
      push.source?.destroy();
      say(`-----> ${branch} stored; its review app ${existing.appName} is not redeployed (autodeploy is off: paas reviewapps:enable -p ${coupling.pipelineName} --autodeploy)\n`);
      return 0;
    }
    let name = existing?.appName;
    if (name === undefined) {
      name = reviewAppName(coupling.pipelineName, branch, (candidate) => store.apps.get(candidate) !== undefined);
      say(`-----> Creating review app ${name} for ${branch}\n`);
      await createAppWithRepo(deps, name, actor);
      const parent = store.apps.require(push.app);
      if (parent.buildpacks.length > 0) store.apps.setBuildpacks(name, parent.buildpacks, actor);
      // Only the review settings' config: never the parent's (production's) own.
      if (Object.keys(settings.env).length > 0) store.deploys.updateConfig(name, settings.env, actor);
      store.pipelines.couple(coupling.pipelineId, name, 'review', actor);
      store.reviewApps.record({ appName: name, pipeline: coupling.pipelineId, parentAppName: push.app, branch });
    } else {
      say(`-----> Updating review app ${name} for ${branch}\n`);
    }
    if (!push.source) return 1;
    const outcome = await deps.builds.start({
      app: name, actor, source: push.source, commit: update.newRev, output: push.output, signal: push.signal, ...checks, review: true,
    }).done;
    if (!outcome.ok && existing === undefined) {
      say(` !     The review app ${name} was not made: fix what is said above and push ${branch} again.\n`);
      await destroyApp(deps, name, actor);
      return 1;
    }
    store.reviewApps.touch(name);
    if (outcome.ok && existing === undefined && outcome.appJson) createAddons(name, outcome.appJson, actor, say);
    return outcome.ok ? 0 : 1;
  }

  function createAddons(app: string, manifest: AppJson, actor: string, say: (text: string) => void): void {
    for (const addon of manifest.addons) {
      try {
        const created = deps.addons.create(app, { service: parseAddonService(addon.plan), ...(addon.as ? { as: addon.as } : {}) }, actor);
        say(`-----> Provisioning ${created.name} (${addon.plan}) for ${app}; it is attached when ready\n`);
      } catch (error) {
        if (!(error instanceof PaasError)) throw error;
        say(` !     ${addon.plan} was not added to ${app}: ${error.message}\n`);
      }
    }
  }

  /** The scripts of the app.json the review app was last built from (stored with review overrides applied). */
  function scriptsOf(review: ReviewAppRecord): Readonly<Record<string, string>> {
    const build = store.builds.list(review.appId).find((each) => each.status === 'succeeded' && each.appJson !== null);
    const scripts = (build?.appJson as Partial<AppJson> | undefined)?.scripts;
    return scripts ?? {};
  }

  /** Runs `pr-predestroy` (its output to `say`), then destroys the review app. */
  async function destroy(review: ReviewAppRecord, actor: string, say: (text: string) => void): Promise<void> {
    const script = scriptsOf(review)['pr-predestroy'];
    if (script !== undefined && store.deploys.currentSlug(review.appName)) {
      say(`-----> Running pr-predestroy script \`${script}\`\n`);
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          say(chunk.toString('utf8'));
          callback();
        },
      });
      const { exitCode } = await deps.runOneOff(review.appName, script, { stdout: sink, stderr: sink });
      if (exitCode !== 0) say(` !     pr-predestroy exited with status ${String(exitCode)}; destroying ${review.appName} anyway.\n`);
    }
    await destroyApp(deps, review.appName, actor);
    say(`-----> Destroyed review app ${review.appName}\n`);
  }

  async function remove(push: Push, update: RefUpdate): Promise<number> {
    const coupling = store.pipelines.couplingOf(push.app);
    const review = coupling ? store.reviewApps.byBranch(coupling.pipelineId, branchOf(update.ref)) : undefined;
    if (!review) return 0;
    await destroy(review, push.user ?? 'git', (text) => push.output.write(text));
    return 0;
  }

  /** Destroys review apps not pushed to for their pipeline's `staleDays`; returns their names. */
  async function sweepStale(at: Date = new Date()): Promise<string[]> {
    const gone: string[] = [];
    for (const review of store.reviewApps.stale(at)) {
      const log = deps.logger.child({ app: review.appName });
      try {
        await destroy(review, 'paas', (text) => log.debug({ line: text.trimEnd() }, 'review app teardown'));
        log.info({ branch: review.branch }, 'stale review app destroyed');
        gone.push(review.appName);
      } catch (error) {
        log.error({ err: error }, 'stale review app not destroyed');
      }
    }
    return gone;
  }

  return {
    enabledFor,
    deploy,
    remove,
    destroy,
    sweepStale,
    start(intervalMs: number): void {
      if (intervalMs <= 0) return;
      timer = setInterval(() => {
        // Errors per app are logged inside; nothing else can reject.
        void sweepStale();
      }, intervalMs);
      timer.unref();
    },
    close(): void {
      if (timer) clearInterval(timer);
    },
  };
}

export type ReviewApps = ReturnType<typeof createReviewApps>;
