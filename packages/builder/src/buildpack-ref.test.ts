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
    assert.equal(parseBuildpackRef('git@github.com:me/pack.git').kind, 'git');
    assert.equal(parseBuildpackRef('ssh://git@example.com/pack.git').kind, 'git');
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
