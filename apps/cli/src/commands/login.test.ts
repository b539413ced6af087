import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import type { CliContext } from '../context.js';
import { runCli } from '../program.js';

/** A terminal: stdin and stderr are TTYs, raw mode is accepted. */
function terminal(home: string, url: string, typed: string[]): { ctx: CliContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  // Each answer arrives once its question has been asked.
  const feed = (): void => {
    const next = typed.shift();
    if (next !== undefined) setImmediate(() => stdin.write(next));
  };
  const ctx: CliContext = {
    env: { HOME: home, PAAS_API_URL: url },
    cwd: home,
    stdin,
    stdout: { write: (text: string) => (out += text) },
    stderr: Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const text = chunk.toString('utf8');
          err += text;
          if (/: $/.test(text)) feed();
          callback();
        },
      }),
      { isTTY: true, columns: 80 },
    ),
  };
  return { ctx, out: () => out, err: () => err };
}

describe('paas login on a terminal', () => {
  let server: Server;
  let url: string;
  let home: string;
  before(async () => {
    server = createServer((request, response) => {
      const ok = request.headers.authorization === 'Bearer tok-of-dev';
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { name: 'dev@example.com', email: 'dev@example.com', id: 'x', role: 'member' } : { id: 'unauthorized', message: 'no' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    url = `http://127.0.0.1:${String(address.port)}`;
    home = await mkdtemp(join(tmpdir(), 'paas-login-'));
  });
  after(async () => {
    server.close();
    await rm(home, { recursive: true, force: true });
  });

  it('asks for the email and the token, and saves the email as the netrc login', async () => {
    const run = terminal(home, url, ['dev@example.com\n', 'tok-of-dev\r']);
    assert.equal(await runCli(['node', 'paas', 'login'], run.ctx), 0, run.err());
    assert.match(run.err(), /Email: /);
    assert.match(run.out(), /as dev@example\.com/);
    assert.equal(await readFile(join(home, '.netrc'), 'utf8'), 'machine 127.0.0.1\n  login dev@example.com\n  password tok-of-dev\n');
  });

  it("refuses a token that is someone else's", async () => {
    const run = terminal(home, url, ['boss@example.com\n', 'tok-of-dev\r']);
    assert.equal(await runCli(['node', 'paas', 'login'], run.ctx), 1);
    assert.match(run.err(), /That token belongs to dev@example\.com, not boss@example\.com/);
  });
});
