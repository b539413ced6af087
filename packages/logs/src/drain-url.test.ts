import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaasError } from '@paas/core';

import { parseDrainUrl, redactDrainUrl } from './drain-url.js';

function refuses(url: string, message: RegExp) {
  assert.throws(
    () => parseDrainUrl(url),
    (error: unknown) => error instanceof PaasError && error.id === 'invalid_params' && message.test(error.message),
    url,
  );
}

test('accepts the three schemes with their ports', () => {
  assert.deepEqual(parseDrainUrl('syslog://Logs.Example.com:514'), {
    scheme: 'syslog', host: 'logs.example.com', port: 514, username: '', password: '', path: '',
  });
  assert.equal(parseDrainUrl('syslog+tls://logs.example.com:6514/').port, 6514);
  assert.deepEqual(parseDrainUrl('https://user:p%40ss@logs.example.com/drain?app=x'), {
    scheme: 'https', host: 'logs.example.com', port: 443, username: 'user', password: 'p@ss', path: '/drain?app=x',
  });
  assert.equal(parseDrainUrl('https://logs.example.com').path, '/');
  assert.equal(parseDrainUrl('https://logs.example.com:8443/x').port, 8443);
  assert.equal(parseDrainUrl('syslog://[2606:4700::1]:514').host, '2606:4700::1');
  assert.equal(parseDrainUrl('syslog://127.0.0.1:514', { allowPrivate: true }).host, '127.0.0.1');
});

test('refuses other schemes and unparsable URLs without echoing them', () => {
  refuses('ftp://logs.example.com/', /start with syslog:\/\/, syslog\+tls:\/\/ or https:\/\/, not ftp:/);
  refuses('tcp://logs.example.com:514', /not tcp:/);
  refuses('logs.example.com:514', /could not be parsed|not logs\.example\.com:/);
  assert.throws(() => parseDrainUrl('https://user:s3cret@:80/'), (error: unknown) => error instanceof PaasError && !error.message.includes('s3cret'));
});

test('syslog URLs need an explicit port in range', () => {
  refuses('syslog://logs.example.com', /^syslog drain URLs need a port: syslog:\/\/logs\.example\.com:514$/);
  refuses('syslog+tls://logs.example.com', /need a port: syslog\+tls:\/\/logs\.example\.com:6514/);
  refuses('syslog://logs.example.com:0', /from 1 to 65535, not 0/);
  refuses('https://logs.example.com:0/', /from 1 to 65535/);
  refuses('syslog://logs.example.com:65536', /could not be parsed/);
});

test('refuses empty, unspecified and link-local hosts, however they are spelled', () => {
  refuses('syslog:///x', /no valid host/);
  refuses('syslog://0.0.0.0:514', /0\.0\.0\.0 is not allowed \(0\.0\.0\.0 is a unspecified address\): drains cannot reach that address/);
  refuses('https://[::]/', /:: is not allowed/);
  refuses('https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is not allowed/);
  // inet_aton would read these as 169.254.169.254
  refuses('syslog://2852039166:514', /169\.254\.169\.254 is not allowed/);
  refuses('https://0xa9fea9fe/', /169\.254\.169\.254 is not allowed/);
  refuses('syslog://[fe80::1]:514', /fe80::1 is not allowed/);
  refuses('syslog://[febf::1]:514', /not allowed/);
  refuses('https://[::ffff:169.254.169.254]/', /not allowed/);
  refuses('syslog://[fec0::1]:514', /not allowed/);
});

test('refuses loopback, private, unique-local and metadata hosts unless the operator allows private targets', () => {
  for (const url of ['syslog://[fd00:ec2::254]:514', 'https://[fd00:ec2::254]/', 'https://127.0.0.1/', 'https://2130706433/', 'https://0x7f000001/',
    'https://[::ffff:127.0.0.1]/', 'https://[::1]/', 'syslog://10.0.0.1:514', 'syslog://192.168.1.1:514', 'https://[fd12::1]/', 'https://224.0.0.1/']) {
    refuses(url, /is not allowed .*PAAS_ALLOW_PRIVATE_TARGETS=1/);
  }
  assert.equal(parseDrainUrl('https://[::1]/', { allowPrivate: true }).host, '::1');
  assert.throws(() => parseDrainUrl('https://[fd00:ec2::254]/', { allowPrivate: true }), /is a metadata address/);
});

test('plain http:// is not a drain scheme', () => {
  refuses('http://logs.example.com/', /start with syslog:\/\/, syslog\+tls:\/\/ or https:\/\/, not http:/);
});

test('syslog URLs carry no path, query, fragment or credentials', () => {
  refuses('syslog://logs.example.com:514/path', /no path or query string: syslog:\/\/logs\.example\.com:514$/);
  refuses('syslog://logs.example.com:514?x=1', /no path or query string/);
  refuses('syslog://logs.example.com:514#x', /#fragment/);
  refuses('syslog://user:pw@logs.example.com:514', /carry no credentials/);
  refuses('https://logs.example.com/#x', /#fragment/);
});

test('refuses URLs over 2048 characters', () => {
  refuses(`https://logs.example.com/${'a'.repeat(2030)}`, /at most 2048 characters; this one has 2055/);
  assert.equal(parseDrainUrl(`https://logs.example.com/${'a'.repeat(2023)}`).port, 443);
});

test('redaction hides passwords and secret-looking query values', () => {
  assert.equal(redactDrainUrl('https://user:s3cret@logs.example.com/drain'), 'https://user:***@logs.example.com/drain');
  assert.equal(redactDrainUrl('https://:s3cret@logs.example.com/'), 'https://:***@logs.example.com/');
  assert.equal(
    redactDrainUrl('https://logs.example.com/in?app=web&api_key=abc&Token=def&X-Amz-Signature=ghi&flag&password=p'),
    'https://logs.example.com/in?app=web&api_key=***&Token=***&X-Amz-Signature=***&flag&password=***',
  );
  assert.equal(redactDrainUrl('syslog://logs.example.com:514'), 'syslog://logs.example.com:514');
  assert.equal(redactDrainUrl('https://logs.example.com/#secret'), 'https://logs.example.com/#***');
  assert.equal(redactDrainUrl('not a url s3cret'), '(invalid drain URL)');
});
