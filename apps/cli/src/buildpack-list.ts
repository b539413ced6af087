import type { BuildpackInstallationResource } from '@paas/core';
import { InvalidArgumentError } from 'commander';

import { CliError, usageError } from './cli-error.js';

/**
 * The edits `paas buildpacks:*` make to an app's buildpack list, as pure functions
 * from the list paasd has to the list to send back. Positions are 1-based, as users
 * count and as heroku/cli's `-i/--index` takes them.
 */

/** Commander's parser for `-i/--index`: a whole number from 1. */
export function parseBuildpackIndex(value: string): number {
  const index = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(index) || index < 1) {
    throw new InvalidArgumentError('give the position of a buildpack: a whole number from 1 (see paas buildpacks).');
  }
  return index;
}

/** The reference a user typed, trimmed; an empty one is a usage error, the rest paasd judges. */
export function checkBuildpackArgument(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') {
    throw usageError('The buildpack is empty: give a built-in name (nodejs), an absolute path or a git URL.');
  }
  return trimmed;
}

/** The references in order, as the PUT takes them. */
export function buildpackUrls(installations: readonly BuildpackInstallationResource[]): string[] {
  return [...installations].sort((a, b) => a.ordinal - b.ordinal).map((installation) => installation.buildpack.url);
}

/** `set` without `-i` replaces the whole list; with `-i N` only the buildpack at N. */
export function planSetBuildpack(current: readonly string[], buildpack: string, index?: number): string[] {
  if (index === undefined) return [buildpack];
  checkPosition(current, index);
  refuseDuplicate(current, buildpack, index);
  return current.map((url, i) => (i === index - 1 ? buildpack : url));
}

/** `add` appends, or inserts at `-i N` (N up to one past the end). */
export function planAddBuildpack(current: readonly string[], buildpack: string, index?: number): string[] {
  refuseDuplicate(current, buildpack);
  if (index === undefined) return [...current, buildpack];
  if (index > current.length + 1) {
    throw new CliError(
      `Cannot add a buildpack at position ${String(index)}: the app has ${describeCount(current.length)}, ` +
        `so give -i from 1 to ${String(current.length + 1)}.`,
    );
  }
  return [...current.slice(0, index - 1), buildpack, ...current.slice(index - 1)];
}

export type RemoveTarget = { readonly buildpack: string } | { readonly index: number };

/** `remove` takes the buildpack or `-i N`, exactly one of them. */
export function removeTargetOf(buildpack: string | undefined, index: number | undefined): RemoveTarget {
  if (buildpack !== undefined && index !== undefined) {
    throw usageError('Give the buildpack to remove or its position with -i N, not both.');
  }
  if (index !== undefined) return { index };
  if (buildpack === undefined) {
    throw usageError('Say which buildpack to remove: paas buildpacks:remove BUILDPACK, or paas buildpacks:remove -i N.');
  }
  return { buildpack: checkBuildpackArgument(buildpack) };
}

export interface RemovePlan {
  readonly removed: string;
  readonly buildpacks: string[];
}

export function planRemoveBuildpack(current: readonly string[], target: RemoveTarget): RemovePlan {
  if (current.length === 0) throw new CliError('The app has no buildpacks set: there is nothing to remove.');
  let position: number;
  if ('index' in target) {
    checkPosition(current, target.index);
    position = target.index - 1;
  } else {
    position = current.indexOf(target.buildpack);
    if (position === -1) {
      throw new CliError(`The buildpack ${target.buildpack} is not set on the app: see paas buildpacks for the ones that are.`);
    }
  }
  return { removed: current[position] ?? '', buildpacks: current.filter((_, i) => i !== position) };
}

function checkPosition(current: readonly string[], index: number): void {
  if (index <= current.length) return;
  throw new CliError(
    `There is no buildpack at position ${String(index)}: the app has ${describeCount(current.length)}` +
      `${current.length === 0 ? '' : ` (see paas buildpacks)`}. Add one with paas buildpacks:add.`,
  );
}

/** heroku/cli refuses to list a buildpack twice; so does paas (it would run twice). */
function refuseDuplicate(current: readonly string[], buildpack: string, replacing?: number): void {
  const position = current.indexOf(buildpack);
  if (position === -1) return;
  const where = replacing === position + 1 ? 'already' : 'already set';
  throw new CliError(`The buildpack ${buildpack} is ${where} at position ${String(position + 1)}: nothing changed.`);
}

function describeCount(count: number): string {
  if (count === 0) return 'none';
  return count === 1 ? '1 buildpack' : `${String(count)} buildpacks`;
}

/** `1. nodejs` lines under heroku/cli's `=== APP Buildpack URLs` header. */
export function formatBuildpackLines(installations: readonly BuildpackInstallationResource[]): string[] {
  return buildpackUrls(installations).map((url, i) => `${String(i + 1)}. ${url}`);
}
