import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergeProcessTypes, parseReleaseOutput } from './process-types.js';

describe('parseReleaseOutput', () => {
  it('reads default_process_types', async () => {
    assert.deepEqual(await parseReleaseOutput('---\ndefault_process_types:\n  web: npm start\n  worker: node w.js\n'), {
      web: 'npm start',
      worker: 'node w.js',
    });
  });

  it('accepts empty output, an empty mapping and other keys', async () => {
    assert.deepEqual(await parseReleaseOutput(''), {});
    assert.deepEqual(await parseReleaseOutput('--- {}\n'), {});
    assert.deepEqual(await parseReleaseOutput('---\naddons: []\nconfig_vars: {A: b}\n'), {});
  });

  it('refuses what is not YAML, not a mapping, or has bad types', async () => {
    await assert.rejects(parseReleaseOutput('default_process_types: [web'), /not YAML/);
    await assert.rejects(parseReleaseOutput('- a\n- b\n'), /not a YAML mapping/);
    await assert.rejects(parseReleaseOutput('default_process_types: [web]'), /not a mapping/);
    await assert.rejects(parseReleaseOutput('default_process_types:\n  "we b": x\n'), /invalid type name/);
    await assert.rejects(parseReleaseOutput('default_process_types:\n  web: 42\n'), /not a command/);
    await assert.rejects(parseReleaseOutput('default_process_types:\n  "-web": x\n'), /invalid type name "-web"/);
    const many = Array.from({ length: 10_000 }, (_, i) => `  p${String(i)}: x\n`).join('');
    await assert.rejects(parseReleaseOutput(`default_process_types:\n${many}`), /declares 10000 types, more than 50/);
  });
});

describe('mergeProcessTypes', () => {
  it('puts the Procfile first and lets it win; later packs replace earlier defaults', () => {
    const merged = mergeProcessTypes({ worker: 'node w.js', web: 'node server.js' }, [
      { web: 'npm start', clock: 'node a.js' },
      { clock: 'node b.js' },
    ]);
    assert.deepEqual(merged, { worker: 'node w.js', web: 'node server.js', clock: 'node b.js' });
    assert.deepEqual(Object.keys(merged), ['worker', 'web', 'clock']);
  });

  it('uses the defaults when there is no Procfile', () => {
    assert.deepEqual(mergeProcessTypes(undefined, [{ web: 'npm start' }]), { web: 'npm start' });
    assert.deepEqual(mergeProcessTypes(undefined, []), {});
  });
});
