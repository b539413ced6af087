import Docker from 'dockerode';

/**
 * A Docker client for tests, or the reason there is none. In CI an unreachable engine
 * is a failure, not a skip: CI installs and starts one.
 */
export async function dockerForTests(): Promise<{ docker: Docker } | { skip: string }> {
  const docker = new Docker();
  try {
    await docker.ping();
    return { docker };
  } catch (error) {
    if (process.env.CI) throw new Error(`CI is set but no Docker engine answers: ${String(error)}`);
    return { skip: `no Docker engine reachable (${(error as Error).message}); CI runs this test` };
  }
}
