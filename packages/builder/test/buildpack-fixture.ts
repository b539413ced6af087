import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

/** Writes a classic buildpack of plain shell scripts; a missing script is left out. */
export async function writeBuildpack(
  dir: string,
  scripts: { detect?: string; compile: string; release?: string },
): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    if (body === undefined) continue;
    const file = join(dir, 'bin', name);
    await writeFile(file, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
    await chmod(file, 0o755);
  }
  return dir;
}

/** Collects build output as text. */
export function captureText(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Writes files (relative path → content) under `dir`. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
