import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';

import { DEFAULT_REMOTE } from './git-remote.js';

export interface JsonOption {
  readonly json?: boolean;
}

/** `-a/--app` and `-r/--remote`, as on every heroku/cli command that works on an app. */
export function withAppOptions(command: Command): Command {
  return command
    .addOption(new Option('-a, --app <app>', 'the app to work on (default: the app of the git remote)'))
    .addOption(new Option('-r, --remote <remote>', 'git remote that names the app').default(DEFAULT_REMOTE));
}

export function withJsonOption(command: Command): Command {
  return command.option('--json', "print the API's JSON instead of text");
}

/** Appends an Examples section to `--help`. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/** A commander argument parser for `-n/--num`: a whole number from 1 to `max`. */
export function countParser(max: number): (value: string) => number {
  return (value) => {
    const count = Number(value);
    if (!/^\d+$/.test(value) || count < 1 || count > max) {
      throw new InvalidArgumentError(`give a whole number from 1 to ${String(max)}.`);
    }
    return count;
  };
}
