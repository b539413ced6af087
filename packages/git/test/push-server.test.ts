import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FRAME, FrameDecoder, PUSH_ENV, encodeFrame } from '../src/push-frames.js';
import { PUSH_MESSAGES, createPushServer, type Push, type PushServer } from '../src/push-server.js';
import { readAll } from './git-fixture.js';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);

interface Conversation {
  output: string;
  exit: number | null;
  archive: string | null;
}

/** Plays the hook's side by hand: sends `frames`, then data for an archive request. */
function converse(socketPath: string, frames: Buffer[], archive?: Buffer[]): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const decoder = new FrameDecoder();
    const seen: Conversation = { output: '', exit: null, archive: null };
    socket.on('connect', () => frames.forEach((frame) => socket.write(frame)));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type === FRAME.output) seen.output += frame.payload.toString();
        if (frame.type === FRAME.exit) seen.exit = frame.payload[0] ?? null;
        if (frame.type === FRAME.archive) {
          seen.archive = frame.payload.toString();
          archive?.forEach((piece) => socket.write(piece));
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(seen));
  });
}

const hello = (ticket: string, app: string, ref = 'refs/heads/main'): Buffer =>
  encodeFrame(FRAME.hello, JSON.stringify({ v: 1, ticket, app, updates: [{ oldRev: OLD, newRev: NEW, ref }] }));

describe('push server (the hook side played by hand)', () => {
  let dir: string;
  let server: PushServer;
  const pushes: Push[] = [];
  const errors: unknown[] = [];
  let onPush: (push: Push) => Promise<number> = () => Promise.resolve(0);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-push-'));
    server = createPushServer({
      socketPath: join(dir, 'push.sock'),
      onPush: (push) => {
        pushes.push(push);
        return onPush(push);
      },
      onError: (error) => errors.push(error),
    });
    await server.listen();
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on a socket only its user can use', async () => {
    assert.equal((await stat(join(dir, 'push.sock'))).mode & 0o777, 0o600);
  });

  it('streams the tar to onPush, the output back, and the exit code last', async () => {
    let tar: Buffer | null = null;
    onPush = async (push) => {
      push.output.write('-----> Building…\n');
      tar = push.source ? await readAll(push.source) : null;
      push.output.write(`got ${String(tar?.length)} bytes\n`);
      return 7;
    };
    const ticket = server.authorize('my-app', { user: 'dev@example.com' });
    const token = ticket.env[PUSH_ENV.ticket] ?? '';
    const seen = await converse(ticket.env[PUSH_ENV.socket] ?? '', [hello(token, 'my-app')], [
      encodeFrame(FRAME.data, Buffer.alloc(1000, 1)),
      encodeFrame(FRAME.data, Buffer.alloc(24, 2)),
      encodeFrame(FRAME.end),
    ]);
    assert.deepEqual(seen, { output: '-----> Building…\ngot 1024 bytes\n', exit: 7, archive: NEW });
    const push = pushes.at(-1);
    assert.equal(push?.app, 'my-app');
    assert.equal(push?.user, 'dev@example.com');
    assert.deepEqual(push?.deploy, { oldRev: OLD, newRev: NEW, ref: 'refs/heads/main' });
    assert.equal(push?.signal.aborted, false);
  });

  it('a ticket works once, for its own app, until revoked', async () => {
    onPush = () => Promise.resolve(0);
    const count = pushes.length;
    const forOther = server.authorize('other-app');
    const wrongApp = await converse(join(dir, 'push.sock'), [hello(forOther.env[PUSH_ENV.ticket] ?? '', 'my-app')]);
    assert.deepEqual(wrongApp, { output: `${PUSH_MESSAGES.unauthorized}\n`, exit: 1, archive: null });

    const once = server.authorize('my-app');
    const token = once.env[PUSH_ENV.ticket] ?? '';
    assert.equal((await converse(join(dir, 'push.sock'), [hello(token, 'my-app', 'refs/tags/v1')])).exit, 0);
    assert.equal((await converse(join(dir, 'push.sock'), [hello(token, 'my-app', 'refs/tags/v1')])).exit, 1);

    const revoked = server.authorize('my-app');
    revoked.revoke();
    assert.equal((await converse(join(dir, 'push.sock'), [hello(revoked.env[PUSH_ENV.ticket] ?? '', 'my-app')])).exit, 1);
    const forged = `${(server.authorize('my-app').env[PUSH_ENV.ticket] ?? '').split('.')[0] ?? ''}.guess`;
    assert.equal((await converse(join(dir, 'push.sock'), [hello(forged, 'my-app')])).exit, 1);
    assert.equal(pushes.length, count + 1, 'only the one good ticket reached onPush');
  });

  it('refuses a connection that does not start with a hello', async () => {
    const seen = await converse(join(dir, 'push.sock'), [encodeFrame(FRAME.data, 'tar?')]);
    assert.deepEqual(seen, { output: `${PUSH_MESSAGES.badHello}\n`, exit: 1, archive: null });
    const garbage = await converse(join(dir, 'push.sock'), [encodeFrame(FRAME.hello, '{"v":1}')]);
    assert.equal(garbage.exit, 1);
  });

  it('the policy refuses before onPush runs', async () => {
    const count = pushes.length;
    const ticket = server.authorize('my-app');
    const seen = await converse(join(dir, 'push.sock'), [hello(ticket.env[PUSH_ENV.ticket] ?? '', 'my-app', 'refs/heads/dev')]);
    assert.equal(seen.exit, 1);
    assert.match(seen.output, /Pushed to refs\/heads\/dev; paas deploys only main \(or master\): git push paas dev:main/);
    assert.equal(pushes.length, count);
  });

  it('a failed archive errors the source; a bad exit code becomes 1', async () => {
    let failure: unknown = null;
    onPush = async (push) => {
      assert.ok(push.source);
      failure = await readAll(push.source).then(
        () => null,
        (error: unknown) => error,
      );
      return 300;
    };
    const ticket = server.authorize('my-app');
    const seen = await converse(join(dir, 'push.sock'), [hello(ticket.env[PUSH_ENV.ticket] ?? '', 'my-app')], [
      encodeFrame(FRAME.fail, 'fatal: not a tree object'),
    ]);
    assert.equal(seen.exit, 1);
    assert.match(String(failure), /git archive failed: fatal: not a tree object/);
  });

  it('aborts the signal when the hook goes away', async () => {
    const aborted = new Promise<boolean>((resolve) => {
      onPush = async (push) => {
        await new Promise((settle) => push.signal.addEventListener('abort', settle));
        resolve(push.signal.aborted);
        return 0;
      };
    });
    const ticket = server.authorize('my-app');
    const socket = connect(join(dir, 'push.sock'));
    socket.on('connect', () => {
      socket.write(hello(ticket.env[PUSH_ENV.ticket] ?? '', 'my-app', 'refs/tags/v2'));
      setTimeout(() => socket.destroy(), 50);
    });
    assert.equal(await aborted, true);
  });
});
