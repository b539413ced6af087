import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BuildpackRefError, buildpackDirName, parseBuildpackRef } from './buildpack-ref.js';

describe('parseBuildpackRef', () => {
  it('reads built-in names, absolute paths and git URLs', () => {
    assert.deepEqual(parseBuildpackRef('nodejs'), { kind: 'builtin', name: 'nodejs', display: 'nodejs' });
    assert.deepEqual(parseBuildpackRef('/opt/packs/go'), { kind: 'path', path: '/opt/packs/go', display: '/opt/packs/go' });
    assert.deepEqual(parseBuildpackRef('https://github.com/heroku/heroku-buildpack-nodejs.git#v250'), {
      kind: 'git',
      url: 'https://github.com/heroku/heroku-buildpack-nodejs.git',
      branch: 'v250',
      display: 'https://github.com/heroku/heroku-buildpack-nodejs.git#v250',
    });
  });

  it('takes git URLs over https only', () => {
    for (const value of ['git@github.com:me/pack.git', 'ssh://git@example.com/pack.git', 'ssh://-oProxyCommand=touch%20/tmp/x/pack.git', 'git://example.com/pack.git', 'http://example.com/pack.git']) {
      assert.throws(() => parseBuildpackRef(value), /an https:\/\/ git URL/, value);
    }
  });

  it('refuses https URLs whose host is a loopback, private, link-local or metadata address, however spelled', () => {
    for (const value of ['https://169.254.169.254/x.git', 'https://[fd00:ec2::254]/x.git', 'https://127.0.0.1/x.git', 'https://2130706433/x.git',
      'https://0x7f000001/x.git', 'https://[::ffff:127.0.0.1]/x.git', 'https://[::]/x.git', 'https://0.0.0.0/x.git', 'https://10.0.0.1/x.git']) {
      assert.throws(() => parseBuildpackRef(value), /host is not allowed .*PAAS_ALLOW_PRIVATE_TARGETS=1/, value);
    }
    assert.equal(parseBuildpackRef('https://127.0.0.1/x.git', { targets: { allowPrivate: true } }).kind, 'git');
    assert.throws(() => parseBuildpackRef('https://169.254.169.254/x.git', { targets: { allowPrivate: true } }), /metadata address/);
  });

  it('refuses command-running transports, options and odd refs', () => {
    for (const value of ['ext::sh -c touch% /tmp/pwned', '-uhttps://x', 'heroku/nodejs', 'ftp://example.com/x', 'https://x/y#--upload-pack=evil', 'relative/path', '']) {
      assert.throws(() => parseBuildpackRef(value), BuildpackRefError, value);
    }
  });

  it('accepts file:// only when allowed', () => {
    assert.throws(() => parseBuildpackRef('file:///srv/pack'), BuildpackRefError);
    assert.equal(parseBuildpackRef('file:///srv/pack', { allowFileUrls: true }).kind, 'git');
  });
});

describe('buildpackDirName', () => {
  it('makes a safe, numbered directory name', () => {
    assert.equal(buildpackDirName(0, parseBuildpackRef('nodejs')), '0-nodejs');
    assert.equal(buildpackDirName(2, parseBuildpackRef('https://example.com/a/my pack.git')), '2-my_pack');
  });
});
