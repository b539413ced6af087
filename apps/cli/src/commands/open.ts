import { spawn } from 'node:child_process';

import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { usageError } from '../cli-error.js';
import { withAppOptions, withExamples } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';

export function registerOpen(program: Command, ctx: CliContext): void {
  const command = program
    .command('open')
    .description("print the app's web URL, and open it in a browser when there is a display")
    .argument('[PATH]', 'a path on the app to open, e.g. /admin');
  withAppOptions(command);
  withExamples(command, ['paas open -a demo', 'paas open /admin']);
  command.action((path: string | undefined, options: AppOptions) => openApp(ctx, path, options));
}

async function openApp(ctx: CliContext, path: string | undefined, options: AppOptions): Promise<void> {
  if (path !== undefined && /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(path)) {
    throw usageError(`${path} is not a path on the app: give one like /admin.`);
  }
  const name = await resolveApp(ctx, options);
  const app = await (await connect(ctx)).getApp(name);
  const url = appUrl(app.web_url, path);
  ctx.stdout.write(`${url}\n`);
  if (!hasDisplay(ctx.env)) return;
  const failure = await launchBrowser(url, ctx.env);
  if (failure !== undefined) ctx.stderr.write(`Could not open a browser (xdg-open: ${failure}): open the URL above yourself.\n`);
}

/** The web URL with `PATH` (`/admin`, `admin`, `?q=1`) resolved on it; a path that is a whole URL was refused before. */
function appUrl(webUrl: string, path: string | undefined): string {
  if (path === undefined || path === '') return webUrl;
  const base = new URL(webUrl);
  // `./` keeps `a:b` a path, not a URL of scheme a:
  return new URL(`./${path.replace(/^\/+/, '')}`, base.href.endsWith('/') ? base : `${base.href}/`).href;
}

/** X11 or Wayland: without either (ssh, CI, a container) there is no browser to show. */
function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DISPLAY?.trim() || env.WAYLAND_DISPLAY?.trim());
}

/** Starts xdg-open detached, so paas exits at once; resolves with why it could not start, if it could not. */
function launchBrowser(url: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('xdg-open', [url], { env, detached: true, stdio: 'ignore', shell: false });
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
}
