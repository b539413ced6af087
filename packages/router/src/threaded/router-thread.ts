/**
 * The router's thread: the builtin router (`createRouter`) listening in a worker thread of
 * paasd, with its own small heap and event loop. paasd's main thread keeps a big heap (the
 * store, logs, metrics) whose full collections, and whatever the API is doing, would
 * otherwise pause every request under way; here only requests run. The main thread sends
 * the route table and asks for drains; this thread sends back access lines in batches.
 */
import { parentPort, workerData } from 'node:worker_threads';

import type { Server } from 'node:net';

import { watchIdleHeap } from '@paas/core/idle-heap';

import { createRouteTable } from '../route-table.js';
import { createRouter } from '../router.js';
import { cloneableFields, type AccessRecord, type FromThread, type ThreadInit, type ToThread } from './thread-messages.js';

/** Access lines wait at most this long before they are sent: the log stream is not per request. */
const ACCESS_FLUSH_MS = 10;
/** A batch is sent at once when it holds this many lines. */
const ACCESS_BATCH = 512;

const port = parentPort;
if (port === null) throw new Error('router-thread.js runs as a worker thread of paasd');
const init = workerData as ThreadInit;
const post = (message: FromThread): void => {
  port.postMessage(message);
};
/** A log line whose fields do not clone (a socket, a function) is sent with their names only. */
const postLog = (level: 'warn' | 'error', fields: object, message: string): void => {
  try {
    post({ type: 'log', level, fields: cloneableFields(fields), message });
  } catch {
    post({ type: 'log', level, fields: { fields: Object.keys(fields).join(',') }, message });
  }
};

let batch: AccessRecord[] = [];
let flushTimer: NodeJS.Timeout | undefined;
const flush = (): void => {
  if (flushTimer !== undefined) clearTimeout(flushTimer);
  flushTimer = undefined;
  if (batch.length === 0) return;
  const records = batch;
  batch = [];
  post({ type: 'access', records });
};

const router = createRouter({
  domain: init.domain,
  logger: {
    warn: (fields, message) => {
      postLog('warn', fields, message);
    },
    error: (fields, message) => {
      postLog('error', fields, message);
    },
  },
  onAccessLog: (app, line, entry) => {
    batch.push([app, line, entry]);
    if (batch.length >= ACCESS_BATCH) flush();
    else flushTimer ??= setTimeout(flush, ACCESS_FLUSH_MS);
  },
  tls: { certificate: init.certificate, publicPort: init.publicTlsPort },
  ...(init.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: init.connectTimeoutMs }),
  ...(init.firstByteTimeoutMs === undefined ? {} : { firstByteTimeoutMs: init.firstByteTimeoutMs }),
  ...(init.bootTimeoutMs === undefined ? {} : { bootTimeoutMs: init.bootTimeoutMs }),
});

// A burst of requests leaves this heap grown; given back once the router is quiet for a second.
const idleHeap = watchIdleHeap();

const listen = (server: Server, host: string, wanted: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : wanted);
    });
  });

const failed = (id: number, err: unknown): void => {
  const error = err as NodeJS.ErrnoException;
  post({ type: 'failed', id, message: error.message, ...(error.code === undefined ? {} : { code: error.code }) });
};

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'update':
      // The clone lost the table's freezing; rebuilt, it is the table `createRouteTable` makes.
      router.update(createRouteTable(message.table.apps.values(), message.table));
      post({ type: 'applied', seq: message.seq });
      return;
    case 'listen': {
      const tlsServer = router.tlsServer;
      if (tlsServer === undefined) {
        failed(message.id, new Error('the router was made without its HTTPS server'));
        return;
      }
      listen(router.server, message.host, message.port)
        .then(async (httpPort) => ({ port: httpPort, tlsPort: await listen(tlsServer, message.host, message.tlsPort) }))
        .then((ports) => {
          post({ type: 'done', id: message.id, ports });
        }, (err: unknown) => {
          failed(message.id, err);
        });
      return;
    }
    case 'drain':
      void router.drain(message.backend, message.timeoutMs).then(() => {
        post({ type: 'done', id: message.id });
      });
      return;
    case 'certificate':
      router.setPlatformCertificate(message.certificate);
      return;
    case 'close':
      idleHeap.stop();
      void router.close().then(() => {
        flush();
        post({ type: 'done', id: message.id });
        port.close();
      });
      return;
  }
});
