import { run, runOrThrow } from './command.js';

/** Tools the bench needs, by command and the Debian package that brings it. */
const TOOLS: Readonly<Record<string, string>> = { nginx: 'nginx-light', wrk: 'wrk' };

/** Installs nginx and wrk with apt-get when `which` does not find them. */
export async function ensureTools(commands: readonly string[]): Promise<void> {
  const missing = [];
  for (const command of commands) {
    if ((await run('which', [command])).code !== 0) missing.push(command);
  }
  if (missing.length === 0) return;
  const packages = missing.map((command) => TOOLS[command] ?? command);
  process.stderr.write(`installing ${packages.join(', ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOrThrow('apt-get', ['update', '-q'], { env });
  await runOrThrow('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env });
}
