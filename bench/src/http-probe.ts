import { request, type Agent } from 'node:http';

export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET `path` from address:port (127.0.0.1 by default) with a Host header; rejects on a connection error. */
export function get(port: number, host: string, path = '/', agent?: Agent, timeoutMs = 10_000, address = '127.0.0.1'): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host }, agent: agent ?? false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Asks again and again, back to back (no pause beyond the 2 ms that keeps a refused
 * connection from spinning), until `accept` likes an answer; resolves with the time it did.
 */
export async function pollUntil(port: number, host: string, accept: (answer: ProbeAnswer) => boolean, timeoutMs: number, address = '127.0.0.1'): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    try {
      const answer = await get(port, host, '/', undefined, 2_000, address);
      if (accept(answer)) return performance.now();
      last = `${String(answer.status)} ${answer.body.slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no acceptable answer from ${host} on :${String(port)} within ${String(timeoutMs)} ms (last: ${last})`);
}
