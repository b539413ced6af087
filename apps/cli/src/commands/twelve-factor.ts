import type { FactorResult } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../command-options.js';
import type { JsonOption } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { printJson, printSection } from '../output.js';

export function registerTwelveFactor(program: Command, ctx: CliContext): void {
  const command = program
    .command('twelve-factor')
    .description('show how a release measures against the twelve factors, with the evidence')
    .argument('[release]', 'v7 or 7 (default: the current release)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas twelve-factor -a demo', 'paas twelve-factor v3 --json']);
  command.action((release: string | undefined, options: AppOptions & JsonOption) => showScorecard(ctx, release, options));
}

const MARKS = { meets: '✓', warns: '!', 'not-observed': '·' } as const;

/** One line per factor, the evidence beside it and, for a warning, the fix under it. */
export function formatScorecard(factors: readonly FactorResult[]): string[] {
  const width = Math.max(...factors.map((f) => `${f.factor} ${f.name}`.length));
  return factors.flatMap((f) => {
    const head = `${MARKS[f.verdict]} ${`${f.factor} ${f.name}`.padEnd(width)}  ${f.verdict.padEnd(12)}  ${f.evidence}`;
    return f.fix === undefined ? [head] : [head, `  ${' '.repeat(width)}  ${' '.repeat(12)}  Fix: ${f.fix}`];
  });
}

async function showScorecard(ctx: CliContext, requested: string | undefined, options: AppOptions & JsonOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const card = await client.getTwelveFactor(app, requested?.trim() ?? 'current');
  if (options.json) return printJson(ctx, card);
  printSection(ctx, `${app} v${String(card.release)}: twelve-factor`, formatScorecard(card.factors));
}
