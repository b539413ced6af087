import type { CliContext } from './context.js';
import { formatHeader } from './table.js';

export function printLines(ctx: CliContext, lines: readonly string[]): void {
  if (lines.length > 0) ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** The API's JSON, pretty, for `--json`. */
export function printJson(ctx: CliContext, data: unknown): void {
  ctx.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function printSection(ctx: CliContext, title: string, lines: readonly string[]): void {
  printLines(ctx, [formatHeader(title), ...lines]);
}

/**
 * heroku/cli's action line on stderr (`Setting A and restarting demo... done, v5`),
 * so stdout keeps only results. On failure the line ends with `!` before the error.
 */
export async function runAction<T>(
  ctx: CliContext,
  label: string,
  work: () => Promise<T>,
  done: (result: T) => string = () => 'done',
): Promise<T> {
  ctx.stderr.write(`${label}... `);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    ctx.stderr.write('!\n');
    throw error;
  }
  ctx.stderr.write(`${done(result)}\n`);
  return result;
}
