import assert from 'node:assert/strict';
import { test } from 'node:test';

import { deliveryErrorLine, describeConnectionError } from './delivery-error.js';

test('says what failed in words and code', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:514'), { code: 'ECONNREFUSED' });
  assert.equal(
    deliveryErrorLine('syslog://logs.example.com:514', `${describeConnectionError(refused)}; retrying`),
    'Error L13 (drain delivery error): syslog://logs.example.com:514 refused the connection: ECONNREFUSED; retrying',
  );
  assert.equal(describeConnectionError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'failed the TLS handshake: DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(describeConnectionError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'failed the TLS handshake: ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal(describeConnectionError(new Error('boom')), 'failed: boom');
});
