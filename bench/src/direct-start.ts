/**
 * Baselines: the same app started directly, without the platform — `node server.js`
 * as a child process, or `docker run` of the image the docker driver made for the slug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

import { run, runOrThrow } from './command.js';
import { pollUntil } from './http-probe.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A copy of a fixture with its dependencies installed by `npm ci` (the npm cache is warm after the first). */
export async function installedCopy(fixtureDir: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-bench-app-'));
  await cp(fixtureDir, dir, { recursive: true });
  await runOrThrow('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The node the local runtime runs the app with: the runtime layer its build made (the
 * version the app's `engines` asks for), not the node running the bench. A direct start
 * with another node measures another program: node 20 here starts node-web 7–20% slower
 * than the slug's node 26, which flattered the platform's ratio.
 */
export async function runtimeNode(dataDir: string): Promise<string> {
  const layersDir = join(dataDir, 'local', 'layers-unpacked');
  const found: string[] = [];
  for (const layer of await readdir(layersDir).catch(() => [] as string[])) {
    const node = join(layersDir, layer, '.heroku', 'node', 'bin', 'node');
    if (await access(node).then(() => true, () => false)) found.push(node);
  }
  const [node, ...others] = found;
  if (node === undefined || others.length > 0) {
    throw new Error(`expected the node of exactly one runtime layer in ${layersDir}, found ${String(found.length)}`);
  }
  return node;
}

export interface Started {
  /** ms from the first start to the last process answering. */
  readonly elapsedMs: number;
  stop(): Promise<void>;
}

/** Starts `count` `node server.js` in `dir` at once; resolves when every one answers 200. */
export async function startLocal(dir: string, count: number, command: readonly string[] = ['node', 'server.js']): Promise<Started> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const started = performance.now();
  const children: ChildProcess[] = ports.map((port) =>
    spawn(command[0] ?? 'node', command.slice(1), { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
      ),
    );
  };
  try {
    const answered = await Promise.all(ports.map((port) => pollUntil(port, 'localhost', (a) => a.status === 200, 30_000)));
    return { elapsedMs: Math.max(...answered) - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ContainerTemplate {
  readonly image: string;
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly network: string;
  readonly port: number;
}

/** How the docker driver ran one of the app's web processes, to run it the same way by hand. */
export async function containerTemplate(app: string): Promise<ContainerTemplate> {
  const ids = (await runOrThrow('docker', ['ps', '-q', '--filter', `label=paas.app=${app}`, '--filter', 'label=paas.type=web'])).trim().split('\n');
  const id = ids[0];
  if (!id) throw new Error(`no web container of ${app} runs`);
  const [info] = JSON.parse(await runOrThrow('docker', ['inspect', id])) as {
    Config: { Image: string; Cmd: string[]; Env: string[] };
    HostConfig: { NetworkMode: string };
  }[];
  if (!info) throw new Error(`docker inspect ${id} said nothing`);
  const port = Number(info.Config.Env.find((e) => e.startsWith('PORT='))?.slice(5) ?? 5000);
  const env = info.Config.Env.filter((e) => !e.startsWith('DYNO='));
  return { image: info.Config.Image, cmd: info.Config.Cmd, env, network: info.HostConfig.NetworkMode, port };
}

/** `docker run` of `count` containers at once; resolves when every one answers 200 at its address. */
export async function startContainers(template: ContainerTemplate, count: number): Promise<Started> {
  const started = performance.now();
  const ids: string[] = [];
  const stop = async (): Promise<void> => {
    if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]);
  };
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const envArgs = template.env.flatMap((e) => ['-e', e]);
        const id = (
          await runOrThrow('docker', ['run', '-d', '--init', '--network', template.network, ...envArgs, '-e', `DYNO=bench.${String(i + 1)}`, '-w', '/app', template.image, ...template.cmd])
        ).trim();
        ids.push(id);
        const ip = (await runOrThrow('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id])).trim();
        return pollUntil(template.port, ip, (a) => a.status === 200, 30_000, ip);
      }),
    );
    return { elapsedMs: performance.now() - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
