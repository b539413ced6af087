import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolve } from 'node:path';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { CliError } from '../../../cli-error.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

export function registerPgBackupsDownload(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:backups:download')
    .description('download a backup (a pg_dump -Fc file for pg_restore) to latest.dump, or -o FILE')
    .argument('[BACKUP]', 'b001 (default: the newest completed)')
    .option('-o, --output <FILE>', 'where to write it', 'latest.dump');
  withAppOptions(command);
  withExamples(command, ['paas pg:backups:download -a demo', 'paas pg:backups:download b002 -o b002.dump -a demo']);
  command.action(async (backupRef: string | undefined, options: AppOptions & { output: string }) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, undefined, 'postgresql');
    const backup = backupRef ?? (await client.listBackups(addon.id)).find((b) => b.status === 'completed')?.name;
    if (backup === undefined) throw new CliError(`${addon.name} has no completed backup: capture one with paas pg:backups:capture -a ${app}.`);
    const file = resolve(ctx.cwd, options.output);
    await runAction(ctx, `Downloading ${backup} to ${options.output}`, async () => {
      const response = await client.downloadBackup(addon.id, backup);
      if (!response.body) throw new CliError('The API sent no data.');
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(file, { mode: 0o600 }));
    });
  });
}
