/**
 * The Swarm baseline: the app's web process started as one-replica services with
 * `docker service create`, as the Swarm driver makes them but without the platform.
 */
import { run, runOrThrow } from './command.js';
import type { Started } from './direct-start.js';
import { pollUntil } from './http-probe.js';

export interface ServiceTemplate {
  readonly image: string;
  /** The process's command after the driver's stdin gate (nobody attaches to a baseline). */
  readonly command: readonly string[];
  readonly env: readonly string[];
  readonly network: string;
  readonly port: number;
}

/** How the Swarm driver ran one of the app's web processes, to run it the same way by hand. */
export async function serviceTemplate(app: string): Promise<ServiceTemplate> {
  const ids = (await runOrThrow('docker', ['service', 'ls', '-q', '--filter', `label=paas.app=${app}`, '--filter', 'label=paas.type=web'])).trim().split('\n');
  const id = ids[0];
  if (!id) throw new Error(`no web service of ${app} runs`);
  const [info] = JSON.parse(await runOrThrow('docker', ['service', 'inspect', id])) as {
    Spec: { TaskTemplate: { ContainerSpec: { Image: string; Command: string[]; Env: string[] }; Networks: { Target: string }[] } };
  }[];
  if (!info) throw new Error(`docker service inspect ${id} said nothing`);
  const spec = info.Spec.TaskTemplate.ContainerSpec;
  // `bash -c GATE gate bash -c WRAPPER COMMAND`: what follows `gate` is the process itself.
  const command = spec.Command.slice(spec.Command.indexOf('gate') + 1);
  const network = info.Spec.TaskTemplate.Networks[0]?.Target ?? '';
  const port = Number(spec.Env.find((e) => e.startsWith('PORT='))?.slice(5) ?? 5000);
  return { image: spec.Image, command, env: spec.Env.filter((e) => !e.startsWith('DYNO=')), network, port };
}

/** The container's address on the node's gateway bridge, where the host reaches it, once it has one. */
async function gatewayAddress(service: string): Promise<string> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const container = (await runOrThrow('docker', ['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.id=${service}`, '--filter', 'status=running'])).trim();
    if (container) {
      const endpoints = JSON.parse(await runOrThrow('docker', ['network', 'inspect', '-f', '{{json .Containers}}', 'docker_gwbridge'])) as Record<string, { IPv4Address?: string }>;
      const address = endpoints[container]?.IPv4Address?.split('/')[0];
      if (address) return address;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`service ${service} has no running container after 60 s`);
}

/** `docker service create` of `count` services at once; resolves when every one answers 200. */
export async function startServices(template: ServiceTemplate, count: number): Promise<Started> {
  const started = performance.now();
  const ids: string[] = [];
  const stop = async (): Promise<void> => {
    if (ids.length > 0) await run('docker', ['service', 'rm', ...ids]);
  };
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const envArgs = template.env.flatMap((e) => ['--env', e]);
        const id = (
          await runOrThrow('docker', [
            'service', 'create', '--detach', '--quiet', '--no-resolve-image', '--restart-condition', 'none', '--network', template.network, '--workdir', '/app', ...envArgs,
            '--env', `DYNO=bench.${String(i + 1)}`, template.image, ...template.command,
          ])
        ).trim();
        ids.push(id);
        const address = await gatewayAddress(id);
        return pollUntil(template.port, address, (a) => a.status === 200, 30_000, address);
      }),
    );
    return { elapsedMs: performance.now() - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
