import { usageError } from './cli-error.js';

/** Words bash reads as themselves anywhere on a command line: no quoting needed. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * The command line `paas run` sends, which the process runs with `bash -c`. One
 * argument is taken as a whole command line, as heroku/cli does (`paas run "rake
 * test"` is `paas run rake test`). Several are joined with spaces, each quoted when
 * bash would otherwise split or expand it, so `paas run -- node -e 'a b'` reaches
 * node as two arguments, not three.
 */
export function buildRunCommand(args: readonly string[]): string {
  if (args.length === 1 && args[0] !== undefined && args[0].trim() !== '') return args[0];
  if (args.length === 0 || args.every((arg) => arg.trim() === '')) {
    throw usageError('Say what to run, e.g. paas run bash, or paas run -- node -e "console.log(1)".');
  }
  return args.map(quoteShellWord).join(' ');
}

/**
 * One word for bash, in single quotes unless it is plain: inside them nothing is
 * special, and a single quote is written as `'\''` (close, escaped quote, reopen).
 */
export function quoteShellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
