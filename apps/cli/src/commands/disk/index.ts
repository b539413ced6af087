import { DISK_KINDS } from '@paas/core';
import type { DiskItemResource, DiskResource } from '@paas/core';
import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatKeyValues, formatTable } from '../../table.js';

export function registerDisk(program: Command, ctx: CliContext): void {
  const command = program.command('disk').description("show what the platform's disk holds and what a collection would free");
  withJsonOption(command);
  withExamples(command, ['paas disk', 'paas disk --json']);
  command.action((options: JsonOption) => showDisk(ctx, options));
}

async function showDisk(ctx: CliContext, options: JsonOption): Promise<void> {
  const disk = await (await connect(ctx)).getDisk();
  if (options.json) return printJson(ctx, disk);
  printSection(ctx, 'Disk', formatDisk(disk));
  if (disk.collectable.length === 0) return printLines(ctx, ['', `Nothing to collect: every slug belongs to one of each app's newest ${String(disk.keep_releases)} releases, or is in use.`]);
  printSection(ctx, `Collectable: ${formatBytes(disk.collectable_bytes)} (paas disk:collect)`, formatDiskItems(disk.collectable));
}

const KIND_NAMES: Record<(typeof DISK_KINDS)[number], string> = {
  slugs: 'Slugs',
  images: 'Slug images',
  unpacked: 'Unpacked slugs',
  build_cache: 'Build caches',
  repos: 'Git repositories',
  temp: 'Temporary files',
};

export function formatDisk(disk: DiskResource): string[] {
  return formatKeyValues([...DISK_KINDS.map((kind) => [KIND_NAMES[kind], formatBytes(disk.by_kind[kind])] as const), ['Total', formatBytes(disk.total_bytes)]]);
}

export function formatDiskItems(items: readonly DiskItemResource[]): string[] {
  return formatTable(
    items,
    [
      { header: 'Kind', get: (item) => item.kind },
      { header: 'Slug', get: (item) => item.slug.slice(0, 12) },
      { header: 'Size', get: (item) => formatBytes(item.bytes) },
    ],
    { headers: true },
  );
}

/** 1536 → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${String(bytes)} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}
