import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { CliError, SilentExit } from '../cli-error.js';
import { withAppOptions, withExamples } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { buildRunCommand } from '../run-command.js';
import { runRemoteCommand } from '../run-session.js';

interface RunOptions extends AppOptions {
  readonly detach?: boolean;
}

export function registerRun(program: Command, ctx: CliContext): void {
  const command = program
    .command('run')
    .summary('run a one-off command in a new process of the app, attached')
    .description('run a one-off command in a new process of the app: its output shows here, and paas exits with its exit code')
    .argument('<COMMAND...>', 'the command and its arguments')
    .option('--detach', 'run in the background; its output goes to the app\'s log')
    // `paas run node -e …` without `--`, as on heroku: options paas does not know belong to the command
    .allowUnknownOption();
  withAppOptions(command);
  command.addHelpText(
    'after',
    '\nThe words are joined with spaces and run with bash -c, each quoted when it holds\n' +
      'spaces or shell characters; one argument is taken as a whole command line.\n' +
      'Options paas knows (-a, -r, --detach) are read anywhere before --: put -- before\n' +
      'a command that has options of its own.',
  );
  withExamples(command, [
    'paas run bash -a demo',
    'paas run -- node -e "console.log(process.version)"',
    'paas run "rake db:migrate && rake db:seed"',
    'paas run -- sh -c "wc -c" < data.csv',
  ]);
  command.action((args: string[], options: RunOptions) => run(ctx, args, options));
}

async function run(ctx: CliContext, args: string[], options: RunOptions): Promise<void> {
  const commandLine = buildRunCommand(args);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  if (options.detach) {
    ctx.stderr.write(`Running ${commandLine} on ${app}... `);
    const started = await client.runDetached(app, commandLine);
    ctx.stderr.write(`done, ${started.name} (detached)\n`);
    ctx.stdout.write(`Run paas logs -a ${app} --ps ${started.name} to see its output.\n`);
    return;
  }
  ctx.stderr.write(`Running ${commandLine} on ${app}... `);
  let up = false;
  const outcome = await runRemoteCommand({
    target: client.runSocket(app),
    command: commandLine,
    stdin: ctx.stdin,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    onUp: () => {
      up = true;
      ctx.stderr.write('up\n');
    },
  }).catch((error: unknown) => {
    if (!up) ctx.stderr.write('!\n');
    throw error;
  });
  if (outcome.exitCode === null) {
    throw new CliError(`${outcome.name} was ended by a signal and has no exit code.`);
  }
  if (outcome.exitCode !== 0) throw new SilentExit(outcome.exitCode);
}
