import { Option } from 'commander';
import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { countParser, withAppOptions, withExamples } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { tailLogSession } from '../log-tail.js';
import { checkProcessSelector } from '../process-selector.js';

export const DEFAULT_LOG_LINES = 100;
/** paasd keeps the last 1,500 lines of each app, as Heroku does. */
const MAX_LOG_LINES = 1500;

interface LogsOptions extends AppOptions {
  readonly num: number;
  readonly ps?: string;
  readonly source?: 'app' | 'paas';
  readonly tail?: boolean;
}

export function registerLogs(program: Command, ctx: CliContext): void {
  const command = program
    .command('logs')
    .description("print an app's recent log lines: its processes' output and what the platform did with them")
    .option('-n, --num <lines>', 'how many of the newest lines to show', countParser(MAX_LOG_LINES), DEFAULT_LOG_LINES)
    .option('-p, --ps <TYPE|NAME>', 'only the lines of a process type (web) or process (web.1)')
    .addOption(new Option('-s, --source <source>', 'only the lines of the app or of the platform').choices(['app', 'paas']))
    .option('-t, --tail', 'keep printing new lines as they come, until Ctrl-C');
  withAppOptions(command);
  withExamples(command, ['paas logs -a demo', 'paas logs --tail -a demo', 'paas logs -n 500 --ps web', 'paas logs --ps web.1 --source app']);
  command.action((options: LogsOptions) => printLogs(ctx, options));
}

async function printLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  const ps = options.ps === undefined ? undefined : checkProcessSelector(options.ps);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const filter = {
    lines: options.num,
    ...(ps !== undefined ? { ps } : {}),
    ...(options.source !== undefined ? { source: options.source } : {}),
  };
  if (options.tail) {
    const session = await client.createLogSession(app, { ...filter, tail: true });
    return tailLogSession(client.logSessionSocket(session), ctx.stdout);
  }
  const text = await client.getLogs(app, filter);
  // as paasd sends it: one line per log event, already ending in a newline
  ctx.stdout.write(text);
}
