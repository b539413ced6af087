import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { ApiError } from '@paas/client';
import { RUN_STREAM, encodeRunFrame } from '@paas/core';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import { CliError } from './cli-error.js';
import type { CliContext, Stream } from './context.js';
import { runCli } from './program.js';
import { parseResultFrame, runRemoteCommand } from './run-session.js';

const TOKEN = 'tok-run';

/** What the fake paasd saw of one run. */
interface SeenRun {
  headers: IncomingHttpHeaders;
  url: string;
  command: string;
  stdin: string;
  eof: boolean;
}

/**
 * A small paasd speaking the run protocol for real over `ws`. What it does depends on
 * the command: `fail` answers an error frame, `drop` cuts the connection mid-run,
 * anything else writes to stdout and stderr, echoes stdin once it ends, and exits 3.
 */
async function startRunServer(): Promise<{ url: string; runs: SeenRun[]; close: () => Promise<void> }> {
  const runs: SeenRun[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      const body = JSON.stringify({ id: 'unauthorized', message: 'Invalid credentials provided.' });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${String(body.length)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const run: SeenRun = { headers: request.headers, url: request.url ?? '', command: '', stdin: '', eof: false };
      runs.push(run);
      ws.once('message', (first: Buffer) => {
        run.command = (JSON.parse(first.toString()) as { command: string }).command;
        play(ws, run);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    runs,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function play(ws: WebSocket, run: SeenRun): void {
  const out = (stream: number, text: string): void => ws.send(encodeRunFrame(stream, Buffer.from(text)));
  if (run.command === 'fail') {
    ws.send(JSON.stringify({ error: { id: 'invalid_params', message: 'demo has no deployed code: push first, then run commands.' } }));
    ws.close();
    return;
  }
  out(RUN_STREAM.stdout, 'hello\n');
  out(RUN_STREAM.stderr, 'careful\n');
  if (run.command === 'drop') {
    setTimeout(() => ws.terminate(), 20);
    return;
  }
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary && data[0] === RUN_STREAM.stdin) {
      run.stdin += data.subarray(1).toString();
      return;
    }
    if (isBinary || (JSON.parse(data.toString()) as { eof?: unknown }).eof !== true) return;
    run.eof = true;
    out(RUN_STREAM.stdout, `read ${JSON.stringify(run.stdin)}\n`);
    ws.send(JSON.stringify({ exit_code: 3, name: 'run.4821' }));
    ws.close();
  });
}

function collector(): { stream: Stream; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: { write: (chunk: string | Uint8Array) => chunks.push(Buffer.from(chunk)) },
    text: () => Buffer.concat(chunks).toString(),
  };
}

function stdinOf(...chunks: string[]): PassThrough {
  const stdin = new PassThrough();
  for (const chunk of chunks) stdin.write(chunk);
  stdin.end();
  return stdin;
}

describe('runRemoteCommand against a real websocket server', () => {
  let server: Awaited<ReturnType<typeof startRunServer>>;
  const target = (token = TOKEN): { url: string; headers: Record<string, string> } => ({
    url: `${server.url.replace(/^http/, 'ws')}/apps/demo/run`,
    headers: { Authorization: `Bearer ${token}` },
  });
  before(async () => {
    server = await startRunServer();
  });
  after(async () => {
    await server.close();
  });

  it('sends the command and stdin with its EOF, relays stdout and stderr, and resolves with the exit code', async () => {
    const stdout = collector();
    const stderr = collector();
    let upCalls = 0;
    const outcome = await runRemoteCommand({
      target: target(),
      command: `sh -c 'exit 3'`,
      stdin: stdinOf('line one\n', 'line two\n'),
      stdout: stdout.stream,
      stderr: stderr.stream,
      onUp: () => upCalls++,
    });
    assert.deepEqual(outcome, { exitCode: 3, name: 'run.4821' });
    assert.equal(upCalls, 1);
    assert.equal(stdout.text(), 'hello\nread "line one\\nline two\\n"\n');
    assert.equal(stderr.text(), 'careful\n');
    const run = server.runs.at(-1);
    assert.equal(run?.command, `sh -c 'exit 3'`);
    assert.equal(run?.stdin, 'line one\nline two\n');
    assert.equal(run?.eof, true);
    assert.equal(run?.url, '/apps/demo/run');
    assert.equal(run?.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('rejects with the id and message of an error frame', async () => {
    const error = await runRemoteCommand({ target: target(), command: 'fail', stdin: stdinOf(), stdout: collector().stream, stderr: collector().stream }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'invalid_params');
    assert.equal(error.message, 'demo has no deployed code: push first, then run commands.');
  });

  it('says the outcome is unknown when the connection breaks before the result', async () => {
    const stdout = collector();
    const error = await runRemoteCommand({ target: target(), command: 'drop', stdin: new PassThrough(), stdout: stdout.stream, stderr: collector().stream }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof CliError);
    assert.match(error.message, /ended \(code 1006\) before the command finished/);
    assert.equal(stdout.text(), 'hello\n', 'the output that came is still shown');
  });

  it('reports a refused upgrade with the API error body', async () => {
    const error = await runRemoteCommand({ target: target('wrong'), command: 'x', stdin: stdinOf(), stdout: collector().stream, stderr: collector().stream }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'unauthorized');
    assert.equal(error.status, 401);
  });

  it('reports an API nobody listens on as unreachable', async () => {
    const error = await runRemoteCommand({
      target: { url: 'ws://127.0.0.1:9/apps/demo/run', headers: {} },
      command: 'x',
      stdin: stdinOf(),
      stdout: collector().stream,
      stderr: collector().stream,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'unreachable');
    assert.match(error.message, /Could not connect to ws:\/\/127\.0\.0\.1:9\/apps\/demo\/run: start paasd/);
  });
});

describe('paas run', () => {
  let server: Awaited<ReturnType<typeof startRunServer>>;
  before(async () => {
    server = await startRunServer();
  });
  after(async () => {
    await server.close();
  });

  async function paasRun(args: string[], stdin: PassThrough, token = TOKEN): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = collector();
    const stderr = collector();
    const ctx: CliContext = {
      env: { HOME: '/nonexistent', PAAS_API_URL: server.url, PAAS_API_TOKEN: token },
      cwd: '/',
      stdin,
      stdout: stdout.stream,
      stderr: stderr.stream,
    };
    const code = await runCli(['node', 'paas', 'run', ...args], ctx);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('exits with the remote exit code, stdout on stdout and stderr on stderr', async () => {
    const result = await paasRun(['-a', 'demo', '--', 'node', '-e', 'process.exit(3)'], stdinOf('input'));
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'hello\nread "input"\n');
    assert.equal(result.stderr, `Running node -e 'process.exit(3)' on demo... up\ncareful\n`);
    assert.equal(server.runs.at(-1)?.command, `node -e 'process.exit(3)'`);
  });

  it('takes one argument as the whole command line, and options it does not know as the command’s', async () => {
    await paasRun(['echo hi | wc -c', '-a', 'demo'], stdinOf());
    assert.equal(server.runs.at(-1)?.command, 'echo hi | wc -c');
    await paasRun(['node', '-v', '-a', 'demo'], stdinOf());
    assert.equal(server.runs.at(-1)?.command, 'node -v');
  });

  it('prints an error frame as a ▸ message and exits 1', async () => {
    const result = await paasRun(['-a', 'demo', 'fail'], stdinOf());
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'Running fail on demo... up\n ▸    demo has no deployed code: push first, then run commands.\n');
  });

  it('refuses an empty command before connecting', async () => {
    const before = server.runs.length;
    const empty = await paasRun(['-a', 'demo', ''], stdinOf());
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /Say what to run/);
    assert.equal((await paasRun(['-a', 'demo'], stdinOf())).code, 2);
    assert.equal(server.runs.length, before);
  });

  it('says the token was refused when the upgrade answers 401', async () => {
    const result = await paasRun(['-a', 'demo', 'ls'], stdinOf(), 'wrong');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Running ls on demo\.\.\. !\n ▸ {4}The API at http:\/\/127\.0\.0\.1:\d+ refused the token in PAAS_API_TOKEN/);
  });
});

describe('parseResultFrame', () => {
  it('reads exit codes and errors, and ignores other text', () => {
    assert.deepEqual(parseResultFrame('{"exit_code":0,"name":"run.1"}'), { exit_code: 0, name: 'run.1' });
    assert.deepEqual(parseResultFrame('{"exit_code":null,"name":"run.1"}'), { exit_code: null, name: 'run.1' });
    assert.deepEqual(parseResultFrame('{"error":{"id":"x","message":"y"}}'), { error: { id: 'x', message: 'y' } });
    for (const text of ['nope', '{}', '{"exit_code":"1"}', '{"error":"x"}', 'null', '{"name":"run.1"}']) {
      assert.equal(parseResultFrame(text), undefined, text);
    }
  });
});
