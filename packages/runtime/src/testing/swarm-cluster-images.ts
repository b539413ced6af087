import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type Docker from 'dockerode';

import { TAR_END, tarHeader, tarPadding } from '../drivers/shared/tar-format.js';

/**
 * The smallest stack the contract app runs on: Debian's minbase (the stack's own base
 * image, ~200 MB) with python3 and the `app` user, where the full stack is ~1.4 GB. Every
 * node of a test cluster gets its layers through the registry, so its size is paid on
 * each node.
 */
export function pythonStackDockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 1000 app && mkdir -p /app && chown app:app /app',
    'ENV HOME=/app',
    'WORKDIR /app',
    '',
  ].join('\n');
}

/** Builds the small stack on an engine that reaches Debian's archive, unless it is there. */
export async function ensurePythonStack(docker: Docker, base: string): Promise<string> {
  const dockerfile = pythonStackDockerfile(base);
  const image = `paas/stack-python:${createHash('sha256').update(dockerfile).digest('hex').slice(0, 16)}`;
  if (await docker.getImage(image).inspect().then(() => true, () => false)) return image;
  const data = Buffer.from(dockerfile, 'utf8');
  const context = Readable.from([tarHeader({ name: 'Dockerfile', type: 'file', size: data.length }), Buffer.concat([data, tarPadding(data.length)]), TAR_END], { objectMode: false });
  const progress = await docker.buildImage(context, { t: image, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(progress, (error: Error | null, events: { error?: string }[]) => {
      const failed = events.find((event) => event.error);
      if (error ?? failed) reject(error ?? new Error(failed?.error));
      else resolve();
    }),
  );
  return image;
}

/** Copies an image from one engine to others (`docker save | docker load`); returns the milliseconds it took. */
export async function copyImage(from: Docker, image: string, to: readonly Docker[]): Promise<number> {
  const started = Date.now();
  for (const target of to) {
    const archive = await from.getImage(image).get();
    const loading = await target.loadImage(archive, { quiet: true });
    await new Promise<void>((resolve, reject) => target.modem.followProgress(loading, (error: Error | null) => (error ? reject(error) : resolve())));
  }
  return Date.now() - started;
}
