import { Writable } from 'node:stream';

import { planAppJsonEnv } from '@paas/core';
import type { AppJson, ConfigPatch } from '@paas/core';
import type { Store } from '@paas/store';

/** Runs a command as a one-off of the app's current release; the process manager's `runOneOff`. */
export type RunOneOff = (app: string, command: string, io: { stdout: Writable; stderr: Writable }) => Promise<{ exitCode: number | null }>;

/**
 * What app.json's env adds to the app's config with this deploy: values and generated secrets
 * for keys the app lacks. Required keys nobody set refuse the deploy, by name.
 */
export function appJsonConfig(store: Store, appName: string, manifest: AppJson): { patch?: ConfigPatch; lines: string[]; refused: boolean } {
  const plan = planAppJsonEnv(manifest.env, store.deploys.configOf(store.apps.require(appName)));
  if (plan.missing.length > 0) {
    const assignments = plan.missing.map((key) => `${key}=…`).join(' ');
    return {
      refused: true,
      lines: [
        ` !     app.json requires config var${plan.missing.length === 1 ? '' : 's'} ${appName} does not have: ${plan.missing.join(', ')}.`,
        ` !     Set ${plan.missing.length === 1 ? 'it' : 'them'} with paas config:set ${assignments} -a ${appName}, and push again.`,
      ],
    };
  }
  const keys = Object.keys(plan.set);
  if (keys.length === 0) return { refused: false, lines: [] };
  return { refused: false, patch: plan.set, lines: [`-----> Setting config vars from app.json: ${keys.sort().join(', ')}`] };
}

/**
 * app.json's `postdeploy`, once per app: after the first deploy made from an app.json that has
 * one. The run is claimed before it starts, so a second push never runs it again, even if
 * this one is cut short. Its output is part of the build output; its exit code is kept.
 */
export async function runPostdeployOnce(
  deps: { store: Store; runOneOff: RunOneOff | undefined },
  appName: string,
  releaseVersion: number,
  manifest: AppJson,
  say: (text: string) => void,
): Promise<void> {
  const script = manifest.scripts['postdeploy'];
  if (script === undefined || deps.runOneOff === undefined) return;
  if (!deps.store.postdeploys.claim(appName, releaseVersion)) return;
  say(`-----> Running postdeploy script \`${script}\` (once, after the first deploy)\n`);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      say(chunk.toString('utf8'));
      callback();
    },
  });
  let exitCode: number | null = null;
  try {
    ({ exitCode } = await deps.runOneOff(appName, script, { stdout: sink, stderr: sink }));
  } finally {
    deps.store.postdeploys.finish(appName, exitCode);
  }
  if (exitCode !== 0) say(` !     The postdeploy script exited with status ${String(exitCode)}; the release stays live. Run it again with paas run if needed.\n`);
  else say('       postdeploy done\n');
}
