import WebSocket from 'ws';

import { RUN_STREAM } from '@paas/core';
import type { RunResultFrame } from '@paas/core';

import { TOKEN } from './harness.js';

/** `paas run` over the websocket, as the CLI does it: the output and the exit code. */
export function runOneOff(api: string, app: string, command: string, token = TOKEN): Promise<{ stdout: string; stderr: string; result: RunResultFrame }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${api.replace('http', 'ws')}/apps/${app}/run`, { headers: { authorization: `Bearer ${token}` } });
    let stdout = '';
    let stderr = '';
    socket.on('open', () => socket.send(JSON.stringify({ command })));
    socket.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) {
        resolve({ stdout, stderr, result: JSON.parse(data.toString('utf8')) as RunResultFrame });
        return;
      }
      if (data[0] === RUN_STREAM.stdout) stdout += data.subarray(1).toString('utf8');
      else stderr += data.subarray(1).toString('utf8');
    });
    socket.on('error', reject);
  });
}
