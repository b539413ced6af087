import { Command, CommanderError } from 'commander';

import { EXIT_USAGE, SilentExit, formatErrorLines } from './cli-error.js';
import { registerAddonsAttach } from './commands/addons/attach.js';
import { registerAddonsCreate } from './commands/addons/create.js';
import { registerAddonsDestroy } from './commands/addons/destroy.js';
import { registerAddonsDetach } from './commands/addons/detach.js';
import { registerAddons } from './commands/addons/index.js';
import { registerAddonsInfo } from './commands/addons/info.js';
import { registerPgBackupsCapture } from './commands/pg/backups/capture.js';
import { registerPgBackupsDownload } from './commands/pg/backups/download.js';
import { registerPgBackups } from './commands/pg/backups/index.js';
import { registerPgBackupsRestore } from './commands/pg/backups/restore.js';
import { registerPgBackupsSchedule } from './commands/pg/backups/schedule.js';
import { registerPgBackupsUnschedule } from './commands/pg/backups/unschedule.js';
import { registerPgCredentialsRotate } from './commands/pg/credentials/rotate.js';
import { registerPgUpgrade } from './commands/pg/upgrade.js';
import { registerPgInfo } from './commands/pg/info.js';
import { registerPgPsql } from './commands/pg/psql.js';
import { registerRedisCli } from './commands/redis/cli.js';
import { registerRedisInfo } from './commands/redis/info.js';
import { registerAppsCreate } from './commands/apps/create.js';
import { registerAppsDestroy } from './commands/apps/destroy.js';
import { registerApps } from './commands/apps/index.js';
import { registerAppsInfo } from './commands/apps/info.js';
import { registerBuildpacksAdd } from './commands/buildpacks/add.js';
import { registerBuildpacksClear } from './commands/buildpacks/clear.js';
import { registerBuildpacks } from './commands/buildpacks/index.js';
import { registerBuildpacksRemove } from './commands/buildpacks/remove.js';
import { registerBuildpacksSet } from './commands/buildpacks/set.js';
import { registerBuildsCachePurge } from './commands/builds/cache/purge.js';
import { registerBuilds } from './commands/builds/index.js';
import { registerBuildsInfo } from './commands/builds/info.js';
import { registerBuildsOutput } from './commands/builds/output.js';
import { registerConfigGet } from './commands/config/get.js';
import { registerConfig } from './commands/config/index.js';
import { registerConfigSet } from './commands/config/set.js';
import { registerConfigUnset } from './commands/config/unset.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDomainsAdd } from './commands/domains/add.js';
import { registerDomains } from './commands/domains/index.js';
import { registerDomainsRedirectHttps } from './commands/domains/redirect-https.js';
import { registerDomainsRemove } from './commands/domains/remove.js';
import { registerCertsAdd } from './commands/certs/add.js';
import { registerCertsAutoDisable } from './commands/certs/auto/disable.js';
import { registerCertsAutoEnable } from './commands/certs/auto/enable.js';
import { registerCertsAuto } from './commands/certs/auto/index.js';
import { registerCertsAutoRefresh } from './commands/certs/auto/refresh.js';
import { registerCerts } from './commands/certs/index.js';
import { registerCertsRemove } from './commands/certs/remove.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerAccess } from './commands/access/index.js';
import { registerAccessAdd } from './commands/access/add.js';
import { registerAccessRemove } from './commands/access/remove.js';
import { registerAuthorizations } from './commands/authorizations/index.js';
import { registerAuthorizationsCreate } from './commands/authorizations/create.js';
import { registerAuthorizationsRevoke } from './commands/authorizations/revoke.js';
import { registerAuthorizationsRotate } from './commands/authorizations/rotate.js';
import { registerUsers } from './commands/users/index.js';
import { registerUsersAdd } from './commands/users/add.js';
import { registerUsersRemove } from './commands/users/remove.js';
import { registerDrainsAdd } from './commands/drains/add.js';
import { registerDrains } from './commands/drains/index.js';
import { registerDrainsRemove } from './commands/drains/remove.js';
import { registerLogs } from './commands/logs.js';
import { registerMaintenance } from './commands/maintenance/index.js';
import { registerMaintenanceOff } from './commands/maintenance/off.js';
import { registerMaintenanceOn } from './commands/maintenance/on.js';
import { registerOpen } from './commands/open.js';
import { registerPipelines } from './commands/pipelines/index.js';
import { registerPipelinesCreate } from './commands/pipelines/create.js';
import { registerPipelinesAdd } from './commands/pipelines/add.js';
import { registerPipelinesRemove } from './commands/pipelines/remove.js';
import { registerPipelinesInfo } from './commands/pipelines/info.js';
import { registerPipelinesDestroy } from './commands/pipelines/destroy.js';
import { registerPipelinesDiff } from './commands/pipelines/diff.js';
import { registerPipelinesPromote } from './commands/pipelines/promote.js';
import { registerReviewapps } from './commands/reviewapps/index.js';
import { registerReviewappsEnable } from './commands/reviewapps/enable.js';
import { registerReviewappsDisable } from './commands/reviewapps/disable.js';
import { registerPs } from './commands/ps/index.js';
import { registerPsRestart } from './commands/ps/restart.js';
import { registerPsScale } from './commands/ps/scale.js';
import { registerPsStop } from './commands/ps/stop.js';
import { registerReleasesInfo } from './commands/releases/info.js';
import { registerReleases } from './commands/releases/index.js';
import { registerDiskCollect } from './commands/disk/collect.js';
import { registerDisk } from './commands/disk/index.js';
import { registerGitRemote } from './commands/git/remote.js';
import { registerRollback } from './commands/rollback.js';
import { registerRun } from './commands/run.js';
import { registerMetrics } from './commands/metrics.js';
import { registerTwelveFactor } from './commands/twelve-factor.js';
import type { CliContext } from './context.js';
import { describeFailure } from './report-failure.js';

export const CLI_VERSION = '0.1.0';

const REGISTRATIONS = [
  registerLogin,
  registerLogout,
  registerUsers,
  registerUsersAdd,
  registerUsersRemove,
  registerAuthorizations,
  registerAuthorizationsCreate,
  registerAuthorizationsRevoke,
  registerAuthorizationsRotate,
  registerAccess,
  registerAccessAdd,
  registerAccessRemove,
  registerApps,
  registerAppsCreate,
  registerAppsInfo,
  registerAppsDestroy,
  registerOpen,
  registerConfig,
  registerConfigGet,
  registerConfigSet,
  registerConfigUnset,
  registerReleases,
  registerReleasesInfo,
  registerTwelveFactor,
  registerGitRemote,
  registerRollback,
  registerPs,
  registerPsScale,
  registerPsRestart,
  registerPsStop,
  registerRun,
  registerLogs,
  registerMetrics,
  registerDrains,
  registerDrainsAdd,
  registerDrainsRemove,
  registerDeploy,
  registerBuilds,
  registerBuildsInfo,
  registerBuildsOutput,
  registerBuildsCachePurge,
  registerBuildpacks,
  registerBuildpacksSet,
  registerBuildpacksAdd,
  registerBuildpacksRemove,
  registerBuildpacksClear,
  registerDomains,
  registerDomainsAdd,
  registerDomainsRemove,
  registerDomainsRedirectHttps,
  registerCerts,
  registerCertsAdd,
  registerCertsRemove,
  registerCertsAuto,
  registerCertsAutoEnable,
  registerCertsAutoDisable,
  registerCertsAutoRefresh,
  registerMaintenance,
  registerMaintenanceOn,
  registerMaintenanceOff,
  registerDisk,
  registerDiskCollect,
  registerAddons,
  registerAddonsCreate,
  registerAddonsInfo,
  registerAddonsAttach,
  registerAddonsDetach,
  registerAddonsDestroy,
  registerPgInfo,
  registerPgPsql,
  registerPgCredentialsRotate,
  registerPgUpgrade,
  registerPgBackups,
  registerPgBackupsCapture,
  registerPgBackupsRestore,
  registerPgBackupsDownload,
  registerPgBackupsSchedule,
  registerPgBackupsUnschedule,
  registerRedisInfo,
  registerRedisCli,
  registerPipelines,
  registerPipelinesCreate,
  registerPipelinesAdd,
  registerPipelinesRemove,
  registerPipelinesInfo,
  registerPipelinesDestroy,
  registerPipelinesDiff,
  registerPipelinesPromote,
  registerReviewapps,
  registerReviewappsEnable,
  registerReviewappsDisable,
] as const;

/** The whole command tree; settings made here before registering are inherited by every command. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('paas')
    .description('Manage apps on a paas platform: create, configure, deploy, release, scale, run and watch them.')
    .version(CLI_VERSION, '-v, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    // options after a command name are that command's: `paas run node -v` runs node -v
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      outputError: (text, write) =>
        write(formatErrorLines(`${text.replace(/^error: /, '')}Run the command with --help for usage and examples.`)),
    });
  program.addHelpText(
    'after',
    '\nEnvironment:\n  PAAS_API_URL    the API (default http://localhost:5100)\n' +
      '  PAAS_API_TOKEN  a token to use instead of the one paas login saved\n\n' +
      'Examples:\n  $ paas login\n  $ paas apps:create demo\n  $ paas config:set RAILS_ENV=production -a demo\n  $ paas deploy -a demo\n' +
      '  $ paas ps -a demo\n  $ paas run -a demo -- node -e "console.log(1)"\n',
  );
  for (const register of REGISTRATIONS) register(program, ctx);
  return program;
}

/** Runs one command line to completion; resolves with the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof SilentExit) return error.exitCode;
    const failure = describeFailure(error, ctx);
    ctx.stderr.write(formatErrorLines(failure.message));
    return failure.exitCode;
  }
}

/** Help and version exit 0; everything else commander rejects is a usage error. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
  return EXIT_USAGE;
}
