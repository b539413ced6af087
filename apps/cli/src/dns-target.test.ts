import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dnsRecordType, platformHostname } from './dns-target.js';

describe('dns targets', () => {
  it("names the app's own host without scheme or port", () => {
    assert.equal(platformHostname('http://demo.paas.local:8080/'), 'demo.paas.local');
    assert.equal(platformHostname('https://demo.example.com'), 'demo.example.com');
    assert.equal(platformHostname('nonsense'), 'nonsense');
  });

  it('asks for ALIAS or ANAME at a zone apex, CNAME below it', () => {
    assert.equal(dnsRecordType('example.com'), 'ALIAS or ANAME');
    assert.equal(dnsRecordType('www.example.com'), 'CNAME');
  });
});
