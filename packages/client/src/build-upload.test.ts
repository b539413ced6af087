import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';

import { ApiError } from './api-error.js';
import { createClient } from './client.js';
import type { PaasClient } from './client.js';

type Handler = (request: IncomingMessage, response: ServerResponse, body: Promise<Buffer>) => void;

interface TestServer {
  readonly client: PaasClient;
  readonly close: () => Promise<void>;
}

/** A real HTTP server, because streaming a request body is what fakes get wrong. */
async function serve(handler: Handler, timeoutMs?: number): Promise<TestServer> {
  const server = createServer((request, response) => {
    const body = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
    });
    body.catch(() => undefined); // a test that aborts the upload never reads this
    handler(request, response, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = createClient({ baseUrl: `http://127.0.0.1:${String(port)}`, token: 'tok', ...(timeoutMs ? { timeoutMs } : {}) });
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { client, close };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function collect(output: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of output) text += Buffer.from(chunk).toString('utf8');
  return text;
}

describe('createBuild', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('uploads the source as a stream and hands back the output as it arrives', async () => {
    let seen: { method?: string; url?: string; type?: string; auth?: string; body?: string } = {};
    let firstChunkRead!: () => void;
    const firstRead = new Promise<void>((resolve) => (firstChunkRead = resolve));
    server = await serve((request, response, body) => {
      void body.then(async (bytes) => {
        seen = {
          ...(request.method ? { method: request.method } : {}),
          ...(request.url ? { url: request.url } : {}),
          type: request.headers['content-type'] ?? '',
          auth: request.headers.authorization ?? '',
          body: bytes.toString('utf8'),
        };
        response.writeHead(201, { 'content-type': 'text/plain', 'paas-build-id': 'b-1' });
        response.write('-----> Building\n');
        await firstRead; // the rest only once the client has the first line: proof it streams
        response.end('-----> Done\n');
      });
    });
    const build = await server.client.createBuild('demo', chunks('tar', 'ball'));
    assert.equal(build.buildId, 'b-1');
    const received: string[] = [];
    for await (const chunk of build.output) {
      received.push(Buffer.from(chunk).toString('utf8'));
      firstChunkRead();
    }
    assert.deepEqual(received, ['-----> Building\n', '-----> Done\n']);
    assert.deepEqual(seen, { method: 'POST', url: '/apps/demo/builds', type: 'application/gzip', auth: 'Bearer tok', body: 'tarball' });
  });

  it('rejects with the error body of a refused upload', async () => {
    server = await serve((_request, response, body) => {
      void body.then(() => {
        response.writeHead(413, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'payload_too_large', message: 'The source is larger than 500 MB.' }));
      });
    });
    const error = await server.client.createBuild('demo', chunks('x')).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'payload_too_large');
    assert.equal(error.status, 413);
    assert.equal(error.message, 'The source is larger than 500 MB.');
  });

  it('rejects with the error of a source that fails, not with the aborted request', async () => {
    server = await serve(() => {
      // never answers: the upload fails first
    });
    const failure = new Error('tar exited with status 2');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('part');
      throw failure;
    }
    const error = await server.client.createBuild('demo', failing()).catch((e: unknown) => e);
    assert.equal(error, failure);
  });

  it('refuses an answer without a build id', async () => {
    server = await serve((_request, response, body) => {
      void body.then(() => response.writeHead(201, { 'content-type': 'text/plain' }).end('hi'));
    });
    const error = await server.client.createBuild('demo', chunks('x')).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'invalid_response');
    assert.match(error.message, /paas-build-id/);
  });

  it('says the build may still run when the output breaks off', async () => {
    server = await serve((request, response, body) => {
      void body.then(() => {
        response.writeHead(201, { 'content-type': 'text/plain', 'paas-build-id': 'b-7' });
        response.write('-----> Building\n', () => setTimeout(() => request.socket.destroy(), 20));
      });
    });
    const build = await server.client.createBuild('demo', chunks('x'));
    const error = await collect(build.output).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'unreachable');
    assert.match(error.message, /may still be running; see paas builds:info b-7/);
  });

  it('gives up on an upload that makes no progress', async () => {
    server = await serve(() => {
      // reads nothing, answers nothing
    }, 100);
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: () => {
            if (sent) return new Promise<IteratorResult<Uint8Array>>(() => undefined);
            sent = true;
            return Promise.resolve({ done: false, value: Buffer.from('start') });
          },
        };
      },
    };
    const error = await server.client.createBuild('demo', stalled).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.id, 'timeout');
  });
});
