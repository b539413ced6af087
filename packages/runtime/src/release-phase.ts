/**
 * The release phase of a deploy (the Procfile's `release` process type, as on Heroku): a
 * one-off of the new release, run to its end before any web process of it starts. Its
 * output goes to the app's log and to the push; a failure to start it, or a non-zero exit,
 * stops the deploy with the previous release still serving.
 */
import { randomInt } from 'node:crypto';

import { PROCESS_SIZES } from '@paas/core';

import { deployFailureMessage } from './deploy-verdict.js';
import type { ReleaseSpec } from './desired-state.js';
import { processEnv } from './desired-state.js';
import type { RuntimeDriver } from './driver.js';
import { lineWriter } from './line-writer.js';
import type { AppLogLine, DeployResult } from './manager-types.js';

export interface ReleasePhaseContext {
  readonly driver: RuntimeDriver;
  readonly onLog: (line: AppLogLine) => void;
  /** The push's output (`Running release command …` and the command's lines). */
  readonly say: (line: string) => void;
  /** The version serving now, named in a failure message. */
  readonly serving: number | null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `release`'s release command, if it has one; resolves to a failed result, or undefined to go on. */
export async function runReleasePhase(ctx: ReleasePhaseContext, app: string, release: ReleaseSpec): Promise<DeployResult | undefined> {
  const command = release.processTypes.release;
  if (command === undefined) return undefined;
  const version = release.version;
  ctx.say(`Running release command \`${command}\``);
  const name = `release.${String(randomInt(1000, 10000))}`;
  const output = lineWriter((line) => {
    ctx.onLog({ app, source: 'app', process: name, line });
    ctx.say(line);
  });
  let exitCode: number | null;
  try {
    await ctx.driver.prepare(release.slug);
    ({ exitCode } = await ctx.driver.run(
      { app, release: version, name, slug: release.slug, command, env: processEnv(app, release, name), memoryMb: PROCESS_SIZES.standard },
      { stdout: output, stderr: output },
    ));
  } catch (error) {
    output.end();
    const message = deployFailureMessage(`the release command could not be started: ${messageOf(error)}`, version, ctx.serving);
    ctx.onLog({ app, source: 'paas', process: name, line: `Error: ${message}` });
    return { ok: false, message };
  }
  // Every line of the release command is out before the deploy says what came of it.
  await new Promise<void>((resolve) => output.end(resolve));
  if (exitCode !== 0) {
    ctx.onLog({ app, source: 'paas', process: name, line: `Release command failed with status ${String(exitCode)}` });
    return { ok: false, message: `The release command \`${command}\` exited with status ${String(exitCode)}: v${String(version)} was not deployed.` };
  }
  return undefined;
}
