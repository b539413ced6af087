import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';

import { createHttpDrain } from '../src/http-drain.js';
import { TOKEN, appLine, burst, createFrameReader, eventually, makeCertificate, recordReports, seqOf, target, tempDir } from './drain-fixture.js';

/** The receivers here listen on loopback, which drains may reach only when the operator allows it. */
const LOOPBACK = { allowPrivate: true } as const;

const LINES = 100_000;

interface Post {
  readonly headers: IncomingMessage['headers'];
  readonly url: string | undefined;
  readonly messages: string[];
}

async function readPost(req: IncomingMessage): Promise<Post> {
  const read = createFrameReader();
  const messages: string[] = [];
  for await (const chunk of req) messages.push(...read(chunk as Buffer));
  return { headers: req.headers, url: req.url, messages };
}

test('100,000 lines reach an HTTPS receiver in order, a refused batch retried with its frame id', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const { key, cert } = await makeCertificate(dir);
  const posts: Post[] = [];
  const accepted: string[] = [];
  const problems: string[] = [];
  let refusedId: string | undefined;
  let retriedId: string | undefined;
  const server = createServer({ key, cert }, (req: IncomingMessage, res: ServerResponse) => {
    void readPost(req).then((post) => {
      posts.push(post);
      const frameId = String(post.headers['logplex-frame-id']);
      if (Number(post.headers['logplex-msg-count']) !== post.messages.length) problems.push(`count ${String(post.headers['logplex-msg-count'])} for ${String(post.messages.length)} frames`);
      // The third batch is refused once; its retry must be the same batch.
      if (posts.length === 3) {
        refusedId = frameId;
        res.writeHead(503).end();
        return;
      }
      if (posts.length === 4) retriedId = frameId;
      accepted.push(...post.messages);
      res.writeHead(200).end();
    }, (error: unknown) => {
      problems.push(String(error));
      res.writeHead(400).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;

  const reports = recordReports();
  const url = `https://user:pa55word@localhost:${String(port)}/drain?access_token=s3cret&app=demo`;
  const drain = createHttpDrain(target(url), reports, { targets: LOOPBACK, ca: cert, retryInitialMs: 50 });
  t.after(() => drain.close(1000));
  await burst(LINES, 1000, (seq) => drain.push(appLine(seq)), async () => {
    while (drain.stats().queued > 5000) await new Promise((resolve) => setTimeout(resolve, 5));
  });
  await eventually('every line accepted', () => accepted.length >= LINES, 60_000);

  assert.deepEqual(problems, []);
  assert.equal(accepted.length, LINES, 'the refused batch is not counted twice');
  accepted.forEach((message, index) => {
    if (seqOf(message) !== index) assert.fail(`message ${String(index)} is out of order: ${message}`);
  });
  assert.match(accepted[0] ?? '', new RegExp(`^<190>1 \\S+ ${TOKEN} app web\\.1 - request served seq=0$`));

  assert.ok(refusedId !== undefined);
  assert.equal(retriedId, refusedId, 'a retried batch keeps its Logplex-Frame-Id');
  assert.deepEqual(posts[3]?.messages, posts[2]?.messages);
  const ids = posts.map((post) => post.headers['logplex-frame-id']);
  assert.equal(new Set(ids).size, posts.length - 1, 'every other batch has a fresh id');

  const first = posts[0];
  assert.ok(first !== undefined);
  assert.equal(first.url, '/drain?access_token=s3cret&app=demo');
  assert.equal(first.headers['content-type'], 'application/logplex-1');
  assert.equal(first.headers['logplex-drain-token'], TOKEN);
  assert.equal(first.headers['user-agent'], 'paas-logs');
  assert.equal(first.headers.authorization, `Basic ${Buffer.from('user:pa55word').toString('base64')}`);
  assert.ok(posts.every((post) => post.messages.length <= 500));

  assert.equal(reports.errors.length, 1);
  assert.equal(
    reports.errors[0],
    `Error L13 (drain delivery error): https://user:***@localhost:${String(port)}/drain?access_token=***&app=demo answered 503 Service Unavailable; retrying`,
  );
  await drain.close(1000);
  assert.deepEqual(drain.stats(), { delivered: LINES, dropped: 0, queued: 0, inFlight: 0, rejected: 0 });
});

test('a 4xx drops the batch, says so once, and later batches still go out', async (t) => {
  const dir = await tempDir(t);
  const { key, cert } = await makeCertificate(dir);
  let requests = 0;
  const accepted: string[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    requests += 1;
    const status = requests <= 2 ? 401 : 200;
    void readPost(req).then((post) => {
      if (status === 200) accepted.push(...post.messages);
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const reports = recordReports();
  const drain = createHttpDrain(target(`https://127.0.0.1:${String(port)}/`), reports, { targets: LOOPBACK, ca: cert, maxBatchLines: 10, flushIntervalMs: 10 });
  t.after(() => drain.close(1000));
  for (let seq = 0; seq < 30; seq += 1) drain.push(appLine(seq));
  await eventually('the third batch', () => accepted.length === 10);
  assert.deepEqual(accepted.map(seqOf), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.deepEqual(reports.errors, [
    `Error L13 (drain delivery error): https://127.0.0.1:${String(port)}/ answered 401 Unauthorized; dropped 10 lines`,
  ]);
  assert.deepEqual(drain.stats(), { delivered: 10, dropped: 0, queued: 0, inFlight: 0, rejected: 20 });
});
