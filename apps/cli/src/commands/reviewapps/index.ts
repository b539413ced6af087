import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatHeader, formatKeyValues, formatTable } from '../../table.js';

export function registerReviewapps(program: Command, ctx: CliContext): void {
  const command = program
    .command('reviewapps')
    .description("show a pipeline's review app settings and its review apps")
    .requiredOption('-p, --pipeline <pipeline>', 'the pipeline');
  withJsonOption(command);
  withExamples(command, ['paas reviewapps -p shop']);
  command.action(async (options: JsonOption & { pipeline: string }) => {
    const client = await connect(ctx);
    const [config, apps] = await Promise.all([client.getReviewAppConfig(options.pipeline), client.listReviewApps(options.pipeline)]);
    if (options.json) return printJson(ctx, { config, review_apps: apps });
    printLines(ctx, [
      formatHeader(`${options.pipeline} review apps`),
      ...formatKeyValues([
        ['Autodeploy', config.autodeploy ? 'on' : 'off'],
        ['Stale after', config.stale_days === null ? 'never' : `${String(config.stale_days)} days`],
        ['Config vars', config.config_vars.join(', ') || '(none)'],
      ]),
      '',
      ...(apps.length === 0
        ? ['No review apps: push a branch to an app of the pipeline (git push paas my-branch).']
        : formatTable(apps, [
            { header: 'App', get: (review) => review.app.name },
            { header: 'Branch', get: (review) => review.branch },
            { header: 'URL', get: (review) => review.web_url },
            { header: 'Last push', get: (review) => formatRelativeTime(review.updated_at) },
          ])),
    ]);
  });
}
