import { APP_NAME_RULE, isAppName } from '@paas/core';

import { usageError } from './cli-error.js';
import type { CliContext } from './context.js';
import { appFromGitUrl, getRemoteUrl } from './git-remote.js';

export interface AppOptions {
  readonly app?: string;
  readonly remote: string;
}

/** `-a APP`, else the app the git remote (`paas` unless `--remote`) of the current directory points at. */
export async function resolveApp(ctx: CliContext, options: AppOptions): Promise<string> {
  if (options.app !== undefined) return checkAppName(options.app);
  const url = await getRemoteUrl(ctx.cwd, options.remote);
  if (url === undefined) {
    throw usageError(
      `No app given: pass -a APP, or run this inside a git repository with a ${options.remote} remote ` +
        '(paas apps:create adds one).',
    );
  }
  const app = appFromGitUrl(url);
  if (app === undefined) {
    throw usageError(`The git remote ${options.remote} points at ${url}, which names no app (expected …/APP.git): pass -a APP.`);
  }
  return app;
}

export function checkAppName(name: string): string {
  if (!isAppName(name)) throw usageError(`${JSON.stringify(name)} is not an app name: ${APP_NAME_RULE}.`);
  return name;
}
