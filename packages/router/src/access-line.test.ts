import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatAccessLine } from './access-line.js';

const base = {
  method: 'GET', path: '/', host: 'demo.localhost', requestId: 'f1c1b1f8-5d9a-4e53-9f3a-2a5e6f7a8b9c', fwd: '127.0.0.1',
};

test('formats Heroku router lines', () => {
  assert.equal(
    formatAccessLine({ ...base, dyno: 'web.1', connectMs: 1, serviceMs: 3, status: 200, bytes: 123 }),
    'at=info method=GET path="/" host=demo.localhost request_id=f1c1b1f8-5d9a-4e53-9f3a-2a5e6f7a8b9c fwd="127.0.0.1" dyno=web.1 connect=1ms service=3ms status=200 bytes=123 protocol=http',
  );
  assert.equal(
    formatAccessLine({ ...base, dyno: 'web.2', connectMs: 0, serviceMs: 30001.4, status: 504, bytes: 512, error: { code: 'H12', desc: 'Request timeout' } }),
    'at=error code=H12 desc="Request timeout" method=GET path="/" host=demo.localhost request_id=f1c1b1f8-5d9a-4e53-9f3a-2a5e6f7a8b9c fwd="127.0.0.1" dyno=web.2 connect=0ms service=30001ms status=504 bytes=512 protocol=http',
  );
});

test('leaves dyno, connect and service empty when no process was reached', () => {
  const line = formatAccessLine({ ...base, status: 503, bytes: 300, error: { code: 'H14', desc: 'No web processes running' } });
  assert.match(line, / dyno= connect= service= status=503 bytes=300 protocol=http$/);
});

test('escapes quotes in quoted fields and cannot be split into extra fields', () => {
  const line = formatAccessLine({
    ...base, path: '/a"b\\c status=500', fwd: '1.2.3.4" x="y, 127.0.0.1', method: 'GE T', status: 200, bytes: 1,
  });
  assert.match(line, / path="\/a\\"b\\\\c status=500" /);
  assert.match(line, / fwd="1\.2\.3\.4\\" x=\\"y, 127\.0\.0\.1" /);
  assert.match(line, /^at=info method="GE T" /);
});
