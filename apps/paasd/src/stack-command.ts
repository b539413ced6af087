// `npm run stack -- inspect | build [--from-scratch]`: shows or (re)makes the stack image
// that builds and processes run in, with the same configuration paasd reads.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import Docker from 'dockerode';

import { DEFAULT_STACK_IMAGE, STACK, STACK_PACKAGES, baseImageOf, buildStackImage, inspectStackImage } from '@paas/stack';

import { loadConfig } from './config.js';
import { dockerOptionsOf } from './docker-engine.js';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...flags] = argv;
  const config = loadConfig(process.env);
  const image = config.stackImage ?? DEFAULT_STACK_IMAGE;
  const docker = new Docker(dockerOptionsOf(config.dockerHost));
  await docker.ping().catch((error: unknown) => {
    throw new Error(`No Docker engine answers (${(error as Error).message}): the stack image lives in Docker. Start dockerd or set DOCKER_HOST.`);
  });
  if (command === 'inspect') {
    const info = await inspectStackImage(docker, image);
    if (!info) {
      process.stdout.write(`${image} has not been made yet: run \`npm run stack -- build\`, or push an app (the first Docker build makes it).\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify({ ...info, stack: STACK, packages: STACK_PACKAGES }, null, 2)}\n`);
    return 0;
  }
  if (command === 'build') {
    if (flags.includes('--from-scratch')) {
      // Also bootstrap Debian again instead of reusing the imported base image.
      await docker.getImage(baseImageOf(image)).remove({ force: true }).catch(() => undefined);
    }
    const workDir = join(config.dataDir, 'tmp');
    mkdirSync(workDir, { recursive: true });
    const info = await buildStackImage({ docker, image, workDir, onLine: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`Made ${info.image} (${info.id.slice(7, 19)}, ${String(Math.round(info.size / 1e6))} MB)\n`);
    return 0;
  }
  process.stderr.write('usage: npm run stack -- inspect | build [--from-scratch]\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`stack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
