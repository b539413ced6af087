import assert from 'node:assert/strict';
import { test } from 'node:test';

import { emptyObservations, scoreRelease, type ReleaseObservations } from './twelve-factor.js';

const good: ReleaseObservations = {
  ...emptyObservations(3),
  slug: { checksum: 'ab'.repeat(32), sizeBytes: 20_480, stack: 'paas-22' },
  slugScan: { manifests: ['package.json'], lockfiles: ['package-lock.json'], enginesPinned: true, envFiles: [], secretLiterals: [], logFiles: [] },
  runStack: 'paas-22',
  configKeys: ['DATABASE_URL'],
  attachments: ['DATABASE'],
  processTypes: ['web'],
  formation: [{ type: 'web', quantity: 1 }],
  releasePhase: true,
  boots: [120],
  stops: [{ name: 'web.1', stopMs: 40, killed: false }],
  writesSampled: true,
};

const verdicts = (o: ReleaseObservations): Record<string, string> => Object.fromEntries(scoreRelease(o).map((r) => [r.factor, r.verdict]));

test('a well-behaved release meets every factor', () => {
  assert.deepEqual(Object.values(verdicts(good)), Array<string>(11).fill('meets'));
});

const cases: [string, Record<string, unknown>, string, string][] = [
  ['no lockfile', { slugScan: { ...good.slugScan!, lockfiles: [] } }, 'II', 'warns'],
  ['no manifest at all', { slugScan: { ...good.slugScan!, manifests: [], lockfiles: [] } }, 'II', 'meets'],
  ['engines not pinned', { slugScan: { ...good.slugScan!, enginesPinned: false } }, 'II', 'warns'],
  ['a committed .env', { slugScan: { ...good.slugScan!, envFiles: ['.env'] } }, 'III', 'warns'],
  ['a secret literal', { slugScan: { ...good.slugScan!, secretLiterals: ['server.js:3'] } }, 'III', 'warns'],
  ['no scan', { slugScan: undefined }, 'III', 'not-observed'],
  ['no backing service', { attachments: [], configKeys: [] }, 'IV', 'not-observed'],
  ['a service by URL in config', { attachments: [], configKeys: ['REDIS_URL'] }, 'IV', 'meets'],
  ['no slug', { slug: undefined }, 'V', 'not-observed'],
  ['uploads on disk', { writes: ['uploads/a.png'] }, 'VI', 'warns'],
  ['not sampled', { writesSampled: false }, 'VI', 'not-observed'],
  ['hardcoded port', { boots: [], bootTimeouts: 2, stops: [] }, 'VII', 'warns'],
  ['ignores SIGTERM', { stops: [{ name: 'web.1', stopMs: 30_000, killed: true }] }, 'IX', 'warns'],
  ['slow boot', { boots: [15_000] }, 'IX', 'warns'],
  ['other stack', { runStack: 'paas-24' }, 'X', 'warns'],
  ['writes a log file', { writes: ['log/app.log'] }, 'XI', 'warns'],
  ['a log file is not a VI write', { writes: ['app.log'] }, 'VI', 'meets'],
  ['no release phase', { releasePhase: false }, 'XII', 'not-observed'],
  ['one-offs instead of a release phase', { releasePhase: false, oneOffs: 2 }, 'XII', 'meets'],
];

for (const [scenario, change, factor, verdict] of cases) {
  test(`${scenario}: ${factor} ${verdict}`, () => {
    const observed: ReleaseObservations = { ...good, ...change };
    const results = scoreRelease(observed);
    const found = results.find((r) => r.factor === factor);
    assert.equal(found?.verdict, verdict, found?.evidence);
    assert.ok(found.evidence.length > 0);
    if (verdict === 'warns') assert.ok(found.fix !== undefined && found.fix.length > 0);
  });
}
