import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Docker from 'dockerode';

import { ensureStackImage } from '@paas/stack';

import { type SlugRef, slugImageName } from '../src/index.js';

export const STACK_IMAGE = process.env.PAAS_STACK_IMAGE ?? 'paas/stack:bookworm';

/**
 * A Docker client whose engine answers and has the stack image, or why not. Without an
 * engine the tests skip, except in CI (CI installs one); a missing stack image is made.
 */
export async function dockerForTests(): Promise<{ docker: Docker } | { skip: string }> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    if (process.env.CI) throw new Error(`CI is set but no Docker engine answers: ${String(error)}`);
    return { skip: `no Docker engine reachable (${(error as Error).message}); CI runs this test` };
  }
  // Made from Debian's archive when missing (a minute or two), as paasd does on first need.
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  try {
    await ensureStackImage({ docker, image: STACK_IMAGE, workDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { docker };
}

/**
 * Removes what a test run left in the engine: containers of the apps, the slug images
 * (and the untagged twins two drivers building the same slug at once leave behind).
 */
export async function removeLeftovers(docker: Docker, apps: readonly string[], slugs: readonly SlugRef[]): Promise<void> {
  for (const app of apps) {
    for (const container of await docker.listContainers({ all: true, filters: { label: [`paas.app=${app}`] } })) {
      await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
    }
  }
  for (const slug of slugs) {
    await docker.getImage(slugImageName(slug.checksum)).remove({ force: true }).catch(() => undefined);
    await docker.pruneImages({ filters: { dangling: ['true'], label: [`paas.slug=${slug.checksum}`] } });
  }
}

