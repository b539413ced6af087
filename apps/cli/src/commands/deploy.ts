import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { BuildStream, PaasClient } from '@paas/client';
import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { CliError, usageError } from '../cli-error.js';
import { withAppOptions, withExamples } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { countSourceFiles, listSourceFiles } from '../source-files.js';
import { startSourceTarball } from '../source-tarball.js';

export function registerDeploy(program: Command, ctx: CliContext): void {
  const command = program
    .command('deploy')
    .summary('build and release the code in a directory, without git push')
    .description(
      'build and release the code in a directory, without git push. In a git work tree it uploads ' +
        'the files git would commit, uncommitted changes included; elsewhere all but .git and node_modules.',
    )
    .argument('[dir]', 'the directory to deploy', '.');
  withAppOptions(command);
  withExamples(command, ['paas deploy -a demo', 'paas deploy ./web -a demo', 'paas deploy && paas releases']);
  command.action((dir: string, options: AppOptions) => deploy(ctx, dir, options));
}

async function deploy(ctx: CliContext, dirArgument: string, options: AppOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const dir = await checkSourceDir(ctx, dirArgument);
  const client = await connect(ctx);
  const source = await listSourceFiles(dir);
  const count = countSourceFiles(source);
  if (count === 0) {
    throw new CliError(`${dirArgument} holds no files to deploy${source.kind === 'git' ? ' (git ignores all of them)' : ''}.`);
  }
  // No `done` after it: paasd answers, and the output starts, while the upload still runs.
  ctx.stderr.write(`Uploading ${dirArgument} (${describeCount(count)})...\n`);
  const tarball = startSourceTarball(dir, source);
  let build: BuildStream;
  try {
    build = await client.createBuild(app, tarball.stream);
    await printOutput(ctx, build.output);
  } finally {
    tarball.stop();
  }
  await checkBuild(client, app, build.buildId);
}

async function checkSourceDir(ctx: CliContext, dirArgument: string): Promise<string> {
  const dir = resolve(ctx.cwd, dirArgument);
  const isDir = await stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDir) throw usageError(`${dirArgument} is not a directory: give the directory of the app to deploy.`);
  return dir;
}

function describeCount(count: number): string {
  return count === 1 ? '1 file' : `${String(count)} files`;
}

/** Each chunk as it arrives: a build prints progress a person waits on. */
async function printOutput(ctx: CliContext, output: AsyncIterable<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder(); // keeps a character split across chunks whole
  for await (const chunk of output) ctx.stdout.write(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest !== '') ctx.stdout.write(rest);
}

/** The output ended: the build's record says how it went. */
async function checkBuild(client: PaasClient, app: string, buildId: string): Promise<void> {
  const build = await client.getBuild(app, buildId);
  if (build.status === 'succeeded') return;
  if (build.status === 'pending') {
    throw new CliError(`The build output ended, but build ${buildId} has not finished: follow it with paas builds:info ${buildId}`);
  }
  throw new CliError(`Build failed: see the output above, or paas builds:output ${buildId}`);
}
