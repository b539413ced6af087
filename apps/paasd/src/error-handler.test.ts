import assert from 'node:assert/strict';
import { test } from 'node:test';

import Fastify from 'fastify';

import { installErrorHandlers } from './error-handler.js';

test('a full disk (ENOSPC, EDQUOT, SQLITE_FULL, also as a cause) answers 507 insufficient_storage naming the data dir', async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  installErrorHandlers(app, { dataDir: '/srv/paas-data' });
  const fail = (code: string, wrapped: boolean): Error => {
    const error: NodeJS.ErrnoException = new Error(`${code}: write failed`);
    error.code = code;
    return wrapped ? new Error('saving the slug failed', { cause: error }) : error;
  };
  for (const [code, wrapped] of [['ENOSPC', false], ['EDQUOT', false], ['SQLITE_FULL', false], ['ENOSPC', true]] as const) {
    app.get(`/${code}-${String(wrapped)}`, async () => {
      throw fail(code, wrapped);
    });
  }
  app.get('/other', async () => {
    throw fail('EIO', false);
  });
  await app.ready();
  for (const url of ['/ENOSPC-false', '/EDQUOT-false', '/SQLITE_FULL-false', '/ENOSPC-true']) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 507, url);
    assert.deepEqual(response.json(), {
      id: 'insufficient_storage',
      message: 'No space left in PAAS_DATA_DIR (/srv/paas-data): free space on its disk or move the data dir, then try again.',
    });
  }
  assert.equal((await app.inject({ url: '/other' })).json<{ id: string }>().id, 'internal_error');
});
