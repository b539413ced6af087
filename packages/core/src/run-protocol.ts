/**
 * `paas run` over a websocket at `GET /apps/{app}/run` (bearer auth on the upgrade):
 * 1. the client sends one text frame, JSON `{"command": "…"}`;
 * 2. both sides then send binary frames whose first byte names the stream —
 *    client → server: STDIN; server → client: STDOUT, STDERR — and the rest is data;
 *    the client sends a text frame `{"eof": true}` when its stdin ends;
 * 3. the server ends with a text frame `{"exit_code": N, "name": "run.1234"}` (or
 *    `{"error": {id, message}}`) and closes.
 */
export const RUN_STREAM = { stdin: 0, stdout: 1, stderr: 2 } as const;

export interface RunRequest {
  readonly command: string;
}

export type RunResultFrame =
  | { readonly exit_code: number | null; readonly name: string }
  | { readonly error: { readonly id: string; readonly message: string } };

export function encodeRunFrame(stream: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([stream]), data]);
}
