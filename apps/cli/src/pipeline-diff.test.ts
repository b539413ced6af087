import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatPipelineDiff, parseTargets } from './pipeline-diff.js';

test('the diff names new commits, missing config keys and add-ons, and a refusal', () => {
  const lines = formatPipelineDiff({
    app: { name: 'shop-staging', stage: 'staging', release: 7, commit: 'b'.repeat(40) },
    targets: [
      {
        app: { name: 'shop-prod', stage: 'production', release: 12, commit: 'a'.repeat(40) },
        missing_config_vars: ['SECRET_KEY'],
        missing_addons: [{ name: 'DATABASE', service: 'postgresql' }],
        commits: [{ sha: 'b'.repeat(40), author: 'Ada', message: 'Fix checkout' }],
        refused: null,
      },
      { app: { name: 'shop-eu', stage: 'production', release: 3, commit: null }, missing_config_vars: [], missing_addons: [], commits: null, refused: 'built on another stack' },
    ],
  });
  assert.deepEqual(lines, [
    '=== shop-staging v7 (staging) → shop-prod v12 (production)',
    '1 commit shop-staging has that shop-prod does not:',
    '  bbbbbbb  Fix checkout  (Ada)',
    'Config vars set on shop-staging and missing on shop-prod: SECRET_KEY',
    'Add-ons attached to shop-staging and missing on shop-prod: DATABASE (postgresql)',
    '',
    '=== shop-staging v7 (staging) → shop-eu v3 (production)',
    ' !     built on another stack',
    'shop-eu runs no code yet: every commit of shop-staging is new to it.',
  ]);
  assert.deepEqual(parseTargets(' a, b ,'), ['a', 'b']);
  assert.equal(parseTargets(','), undefined);
});
