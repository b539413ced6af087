import type { PipelineDiffResource } from '@paas/core';

/** The target apps a `--to a,b` option names; undefined when absent (the next stage's apps). */
export function parseTargets(to: string | undefined): string[] | undefined {
  if (to === undefined) return undefined;
  const names = to.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length === 0 ? undefined : names;
}

/** What promoting would bring to each downstream app, as heroku pipelines:diff prints it (keys only). */
export function formatPipelineDiff(diff: PipelineDiffResource): string[] {
  const source = diff.app;
  if (diff.targets.length === 0) return [`${source.name} (${source.stage}) has no downstream app to compare with.`];
  return diff.targets.flatMap((target, index) => {
    const lines = [
      ...(index > 0 ? [''] : []),
      `=== ${source.name} v${String(source.release)} (${source.stage}) → ${target.app.name} v${String(target.app.release)} (${target.app.stage})`,
    ];
    if (target.refused !== null) lines.push(` !     ${target.refused}`);
    if (target.commits === null) {
      lines.push(target.app.commit === null ? `${target.app.name} runs no code yet: every commit of ${source.name} is new to it.` : 'The commits cannot be compared (the two apps were built from unrelated histories).');
    } else if (target.commits.length === 0) {
      lines.push(`${target.app.name} is up to date with ${source.name}.`);
    } else {
      lines.push(`${String(target.commits.length)} commit${target.commits.length === 1 ? '' : 's'} ${source.name} has that ${target.app.name} does not:`);
      lines.push(...target.commits.map((commit) => `  ${commit.sha.slice(0, 7)}  ${commit.message}  (${commit.author})`));
    }
    if (target.missing_config_vars.length > 0) {
      lines.push(`Config vars set on ${source.name} and missing on ${target.app.name}: ${target.missing_config_vars.join(', ')}`);
    }
    if (target.missing_addons.length > 0) {
      lines.push(`Add-ons attached to ${source.name} and missing on ${target.app.name}: ${target.missing_addons.map((addon) => `${addon.name} (${addon.service})`).join(', ')}`);
    }
    return lines;
  });
}
