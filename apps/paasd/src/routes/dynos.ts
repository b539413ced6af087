import { PassThrough, Writable } from 'node:stream';

import type { FastifyInstance } from 'fastify';

import { DEFAULT_SIZE, PROCESS_SIZE_NAMES, PaasError, RUN_STREAM, encodeRunFrame, invalidParams, notFound, resolveProcessSize } from '@paas/core';
import type { DynoResource, RunRequest, RunResultFrame } from '@paas/core';
import { lineWriter, oneOffName } from '@paas/runtime';
import type { OneOffOptions } from '@paas/runtime';

import { stableId } from '../resources.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const dynoParams = {
  type: 'object',
  required: ['app', 'dyno'],
  properties: { app: { type: 'string', maxLength: 64 }, dyno: { type: 'string', maxLength: 64 } },
} as const;

const MAX_COMMAND_BYTES = 64 * 1024;

interface RunBody {
  readonly command: string;
  readonly attach?: boolean;
  readonly env?: Readonly<Record<string, string | number>>;
  readonly force_no_tty?: boolean | null;
  readonly size?: string;
  readonly type?: string;
}

/** paas's `{command}`, and what Heroku's CLI adds: `attach`, `env` (`heroku run -e`), `size`, `type`, `force_no_tty`. */
const runBody = {
  type: 'object',
  required: ['command'],
  additionalProperties: false,
  properties: {
    command: { type: 'string', minLength: 1, maxLength: MAX_COMMAND_BYTES },
    attach: { type: 'boolean' },
    env: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,254}$' },
      additionalProperties: { type: ['string', 'number'], maxLength: 32768 },
    },
    // paas's one-offs have no terminal: output is a plain stream either way.
    force_no_tty: { type: ['boolean', 'null'] },
    size: { type: 'string', maxLength: 32 },
    type: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' },
  },
} as const;

function oneOffOptions(body: RunBody): OneOffOptions {
  const size = body.size === undefined ? undefined : resolveProcessSize(body.size);
  if (size === undefined && body.size !== undefined) throw invalidParams(`Unknown size ${JSON.stringify(body.size)}: use one of ${PROCESS_SIZE_NAMES.join(', ')}.`);
  const env = body.env === undefined ? undefined : Object.fromEntries(Object.entries(body.env).map(([key, value]) => [key, String(value)]));
  return { ...(env ? { env } : {}), ...(size ? { size } : {}) };
}

export function registerDynoRoutes(app: FastifyInstance, { store, manager, logs, rendezvous, tokenStreams }: RouteContext): void {
  const list = (name: string): DynoResource[] => {
    const record = store.apps.require(name);
    const sizes = new Map(store.deploys.formation(record.name).map((entry) => [entry.type, entry.size]));
    return manager.status(record.name).map((p) => ({
      name: p.name,
      type: p.type,
      state: p.state,
      release: { version: p.release },
      command: p.command,
      created_at: p.startedAt,
      ...(p.nextRestartAt ? { restart_at: p.nextRestartAt } : {}),
      ...(p.node === undefined ? {} : { node: p.node }),
      id: stableId('dyno', `${record.id}/${p.name}/${p.startedAt}`),
      size: sizes.get(p.type) ?? DEFAULT_SIZE,
      updated_at: p.startedAt,
      app: { id: record.id, name: record.name },
      attach_url: null,
    }));
  };

  app.get<{ Params: { app: string } }>('/apps/:app/dynos', { schema: { params: appParams } }, async (request) => list(request.params.app));

  // Heroku: DELETE a dyno (or all) restarts it; `actions/stop` stops it (it comes back
  // unless the formation is scaled down, as on Heroku).
  app.delete<{ Params: { app: string } }>('/apps/:app/dynos', { schema: { params: appParams } }, async (request, reply) => {
    const name = store.apps.require(request.params.app).name;
    await manager.restart(name);
    store.events.record(name, request.actor.name, 'dynos.restart');
    return reply.status(202).send({});
  });
  // `formations/{type}` is Heroku's form for a whole type (`heroku ps:restart --process-type web`).
  const routes = ['/apps/:app/dynos/:dyno', '/apps/:app/dynos/:dyno/actions/stop', '/apps/:app/formations/:dyno', '/apps/:app/formations/:dyno/actions/stop'];
  for (const route of routes) {
    app.route<{ Params: { app: string; dyno: string } }>({
      method: route.endsWith('stop') ? 'POST' : 'DELETE',
      url: route,
      schema: { params: dynoParams },
      handler: async (request, reply) => {
        const name = store.apps.require(request.params.app).name;
        const stopped = await manager.restart(name, request.params.dyno, route.endsWith('stop') ? 'stop' : 'restart');
        if (stopped === 0) throw notFound('process', request.params.dyno);
        store.events.record(name, request.actor.name, route.endsWith('stop') ? 'dyno.stop' : 'dyno.restart', { dyno: request.params.dyno });
        return reply.status(202).send({});
      },
    });
  }

  // `paas run --detach` and `heroku run:detached`: the one-off runs in the background, its
  // output in the app's log. `heroku run` asks with `attach: true`: it then connects to
  // `attach_url` (the rendezvous) and the one-off starts when it does.
  app.post<{ Params: { app: string }; Body: RunBody }>(
    '/apps/:app/dynos',
    { schema: { params: appParams, body: runBody } },
    async (request, reply) => {
      const record = store.apps.require(request.params.app);
      const name = record.name;
      if (!store.deploys.currentSlug(name)) throw new PaasError('invalid_params', `${name} has no deployed code: push first, then run commands.`);
      const { command, attach = false } = request.body;
      const options = oneOffOptions(request.body);
      const dyno = oneOffName();
      let attachUrl: string | null = null;
      if (attach) {
        const port = rendezvous?.port();
        if (!rendezvous || port === undefined) throw new PaasError('invalid_params', 'Attached one-offs need the rendezvous listener (PAAS_RENDEZVOUS_PORT), which is not running here.');
        store.events.record(name, request.actor.name, 'run', { command_bytes: Buffer.byteLength(command), dyno });
        // Revoking (or the expiry of) the token that asked for it ends the session.
        const revoked = new AbortController();
        const release = tokenStreams.hold(request.actor.tokenId, request.actor.expiresAt, () => revoked.abort(), { userId: request.actor.userId, app: name });
        const secret = rendezvous.offer(({ stdin, output, signal }) =>
          manager.runOneOff(name, command, { stdin, stdout: output, stderr: output, signal: AbortSignal.any([signal, revoked.signal]) }, dyno, options).finally(release),
        );
        attachUrl = `rendezvous://${request.hostname}:${String(port)}/${secret}`;
      } else {
        const output = lineWriter((line) => logs.publish(name, { source: 'app', process: dyno, line }));
        store.events.record(name, request.actor.name, 'run.detached', { dyno });
        void manager
          .runOneOff(name, command, { stdout: output, stderr: output }, dyno, options)
          .catch((error: unknown) => request.log.warn({ err: error, app: name }, 'detached one-off failed'))
          .finally(() => output.end());
      }
      const now = new Date().toISOString();
      const release = store.deploys.currentRelease(name);
      return reply.status(201).send({
        id: stableId('dyno', `${record.id}/${dyno}/${now}`),
        name: dyno,
        type: 'run',
        state: 'starting',
        command,
        attach_url: attachUrl,
        size: options.size ?? DEFAULT_SIZE,
        app: { id: record.id, name },
        release: { id: release.id, version: release.version },
        created_at: now,
        updated_at: now,
      });
    },
  );

  app.get<{ Params: { app: string } }>('/apps/:app/run', { websocket: true, schema: { params: appParams } }, (socket, request) => {
    const finish = (frame: RunResultFrame): void => {
      socket.send(JSON.stringify(frame));
      socket.close();
    };
    const aborter = new AbortController();
    // 4401: the token that opened the session was revoked or expired.
    const release = tokenStreams.hold(
      request.actor.tokenId,
      request.actor.expiresAt,
      () => {
        aborter.abort();
        socket.close(4401, 'token revoked or expired, or access taken away');
      },
      { userId: request.actor.userId, app: request.params.app },
    );
    socket.on('close', () => {
      aborter.abort();
      release();
    });
    socket.once('message', (first: Buffer, isBinary: boolean) => {
      let command: string;
      try {
        const parsed = JSON.parse(first.toString('utf8')) as Partial<RunRequest>;
        if (isBinary || typeof parsed.command !== 'string' || parsed.command.trim() === '' || Buffer.byteLength(parsed.command) > MAX_COMMAND_BYTES) {
          throw new PaasError('invalid_params', 'Send {"command": "…"} first: a non-empty command of at most 64 KiB.');
        }
        command = parsed.command;
        store.apps.require(request.params.app);
      } catch (error) {
        const paas = error instanceof PaasError ? error : new PaasError('bad_request', 'The first message must be JSON {"command": "…"}.');
        finish({ error: { id: paas.id, message: paas.message } });
        return;
      }
      const stdin = new PassThrough();
      socket.on('message', (data: Buffer, binary: boolean) => {
        if (binary && data[0] === RUN_STREAM.stdin) stdin.write(data.subarray(1));
        else if (!binary) stdin.end();
      });
      const sink = (stream: number) =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            socket.send(encodeRunFrame(stream, chunk), callback);
          },
        });
      store.events.record(request.params.app, request.actor.name, 'run', { command_bytes: Buffer.byteLength(command) });
      manager
        .runOneOff(request.params.app, command, { stdin, stdout: sink(RUN_STREAM.stdout), stderr: sink(RUN_STREAM.stderr), signal: aborter.signal })
        .then(({ exitCode, name }) => finish({ exit_code: exitCode, name }))
        .catch((error: unknown) => {
          request.log.warn({ err: error }, 'one-off failed');
          finish({ error: { id: 'invalid_params', message: error instanceof Error ? error.message : 'The command could not be started.' } });
        });
    });
  });
}
