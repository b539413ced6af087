import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseSlugIgnore, slugIgnored } from '../src/slug-ignore.js';

describe('.slugignore patterns (gitignore syntax, no negation)', () => {
  const rules = parseSlugIgnore(['# design files', '*.psd', '', '/docs', 'test/fixtures/**/*.bin', 'tmp/', '!keep.psd', 'file?.txt', 'log[0-9].txt', '  '].join('\n'));

  it('leaves out comments, blank lines and negations', () => {
    assert.equal(rules.length, 6);
  });

  it('a name without a slash matches at any depth', () => {
    assert.equal(slugIgnored(rules, 'logo.psd', false), true);
    assert.equal(slugIgnored(rules, 'assets/img/logo.psd', false), true);
    assert.equal(slugIgnored(rules, 'keep.psd', false), true, 'negation is not supported, as on Heroku');
    assert.equal(slugIgnored(rules, 'logo.png', false), false);
  });

  it('a leading or inner slash anchors at the root', () => {
    assert.equal(slugIgnored(rules, 'docs', true), true);
    assert.equal(slugIgnored(rules, 'lib/docs', true), false);
    assert.equal(slugIgnored(rules, 'test/fixtures/a/b/big.bin', false), true);
    assert.equal(slugIgnored(rules, 'test/fixtures/big.bin', false), true, '** also matches no directory');
    assert.equal(slugIgnored(rules, 'other/test/fixtures/big.bin', false), false);
  });

  it('a trailing slash matches directories only', () => {
    assert.equal(slugIgnored(rules, 'tmp', true), true);
    assert.equal(slugIgnored(rules, 'app/tmp', true), true);
    assert.equal(slugIgnored(rules, 'tmp', false), false);
  });

  it('? and [...] match one character, never a slash', () => {
    assert.equal(slugIgnored(rules, 'file1.txt', false), true);
    assert.equal(slugIgnored(rules, 'file12.txt', false), false);
    assert.equal(slugIgnored(rules, 'log7.txt', false), true);
    assert.equal(slugIgnored(rules, 'logx.txt', false), false);
    assert.equal(slugIgnored(parseSlugIgnore('a?b'), 'a/b', false), false);
    assert.equal(slugIgnored(parseSlugIgnore('a*b'), 'a/b', false), false);
  });

  it('regular-expression characters in names are literal', () => {
    assert.equal(slugIgnored(parseSlugIgnore('v1.0(old).zip'), 'v1.0(old).zip', false), true);
    assert.equal(slugIgnored(parseSlugIgnore('v1.0(old).zip'), 'v1x0(old).zip', false), false);
  });
});
