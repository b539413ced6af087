import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { DiskItem, DiskPlanInput, ReleaseSlug } from './disk-plan.js';
import { planDiskCollection } from './disk-plan.js';

const sha = (n: number): string => n.toString(16).padStart(64, '0');

/** Releases v1..vN of an app, vK running slug K, the last one current and succeeded. */
function deploys(app: string, count: number, overrides: Partial<Record<number, Partial<ReleaseSlug>>> = {}): ReleaseSlug[] {
  return Array.from({ length: count }, (_, i) => ({
    app,
    version: i + 1,
    status: 'succeeded' as const,
    current: i + 1 === count,
    checksum: sha(i + 1),
    ...overrides[i + 1],
  }));
}

const files = (...slugs: number[]): DiskItem[] => slugs.map((n) => ({ kind: 'slug', slug: sha(n), name: `/d/slugs/${sha(n)}.tgz`, bytes: 100 }));
const dirs = (...slugs: number[]): DiskItem[] => slugs.map((n) => ({ kind: 'unpacked', slug: sha(n), name: `/d/local/slugs-unpacked/${sha(n)}`, bytes: 1000 }));
const images = (...slugs: number[]): DiskItem[] => slugs.map((n) => ({ kind: 'image', slug: sha(n), name: `paas/slug:${sha(n).slice(0, 16)}`, bytes: 10 }));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function plan(input: Partial<DiskPlanInput> & Pick<DiskPlanInput, 'releases'>): string[] {
  const known = new Set(input.releases.flatMap((release) => [release.checksum, release.runtimeLayer ?? null].filter((id): id is string => id !== null)));
  const result = planDiskCollection({
    keepReleases: 3,
    running: [],
    knownSlugs: known,
    buildsRunning: false,
    slugFiles: [],
    images: [],
    unpacked: [],
    ...input,
  });
  assert.equal(result.bytes, result.remove.reduce((sum, item) => sum + item.bytes, 0));
  return result.remove.map((item) => `${item.kind} ${String(parseInt(item.slug, 16))}`).sort();
}

const cases: { name: string; input: Partial<DiskPlanInput> & Pick<DiskPlanInput, 'releases'>; removed: string[] }[] = [
  {
    // Slugs 1–5 run on runtime layer 100 (v1–v2) and 200 (v3–v5); app b's v1 runs on layer 300, its v2 on none.
    name: 'keeps the runtime layers kept slugs run on and removes the rest, of every kind',
    input: {
      releases: [
        ...deploys('a', 5, { 1: { runtimeLayer: sha(100) }, 2: { runtimeLayer: sha(100) }, 3: { runtimeLayer: sha(200) }, 4: { runtimeLayer: sha(200) }, 5: { runtimeLayer: sha(200) } }),
        ...deploys('b', 2, { 1: { checksum: sha(11), runtimeLayer: sha(300) }, 2: { checksum: sha(12) } }),
      ],
      keepReleases: 1,
      slugFiles: files(1, 2, 3, 4, 5, 11, 12, 100, 200, 300),
      unpacked: dirs(100, 200),
      images: images(100, 200, 300),
    },
    removed: ['image 100', 'image 300', 'slug 1', 'slug 100', 'slug 11', 'slug 2', 'slug 3', 'slug 300', 'slug 4', 'unpacked 100'],
  },
  {
    name: 'keeps the newest N releases’ slugs and removes the older ones, of every kind',
    input: { releases: deploys('a', 5), slugFiles: files(1, 2, 3, 4, 5), unpacked: dirs(1, 5), images: images(2, 4) },
    removed: ['image 2', 'slug 1', 'slug 2', 'unpacked 1'],
  },
  {
    name: 'nothing to remove when there are no more releases than kept',
    input: { releases: deploys('a', 3), slugFiles: files(1, 2, 3) },
    removed: [],
  },
  {
    name: 'a current release older than the newest N keeps its slug (after a rollback that failed… or many config changes)',
    input: { releases: deploys('a', 6, { 2: { current: true }, 6: { current: false, status: 'failed' } }), slugFiles: files(1, 2, 3, 4, 5, 6) },
    removed: ['slug 1', 'slug 3'],
  },
  {
    name: 'a pending release keeps its slug wherever it is',
    input: { keepReleases: 1, releases: deploys('a', 4, { 1: { status: 'pending' } }), slugFiles: files(1, 2, 3, 4) },
    removed: ['slug 2', 'slug 3'],
  },
  {
    name: 'a release with running processes keeps its slug, image and unpacked dir',
    input: { keepReleases: 1, releases: deploys('a', 4), running: [{ app: 'a', release: 2 }], slugFiles: files(1, 2, 3, 4), unpacked: dirs(2, 3), images: images(2) },
    removed: ['slug 1', 'slug 3', 'unpacked 3'],
  },
  {
    name: 'config-only releases count as releases and keep the slug they run',
    input: {
      keepReleases: 3,
      releases: deploys('a', 5, { 4: { checksum: sha(3) }, 5: { checksum: sha(3) } }),
      slugFiles: files(1, 2, 3),
    },
    removed: ['slug 1', 'slug 2'],
  },
  {
    name: 'a slug shared by two apps stays while either keeps it',
    input: {
      keepReleases: 1,
      releases: [...deploys('a', 2), ...deploys('b', 3, { 3: { checksum: sha(1) } })],
      slugFiles: files(1, 2, 3),
    },
    removed: ['slug 3'],
  },
  {
    name: 'releases without a slug (before the first deploy) keep nothing and break nothing',
    input: { keepReleases: 2, releases: deploys('a', 3, { 1: { checksum: null }, 2: { checksum: null } }), slugFiles: files(3, 9) },
    removed: ['slug 9'],
  },
  {
    name: 'a slug no record names goes when no build runs',
    input: { releases: deploys('a', 1), slugFiles: files(1, 7), unpacked: dirs(7) },
    removed: ['slug 7', 'unpacked 7'],
  },
  {
    name: 'a slug no record names stays while a build runs (it may be that build’s)',
    input: { releases: deploys('a', 5), buildsRunning: true, slugFiles: files(1, 7), unpacked: dirs(7) },
    removed: ['slug 1'],
  },
  {
    name: 'an image of a slug this installation never recorded is another installation’s',
    input: { keepReleases: 1, releases: deploys('a', 2), images: images(1, 2, 8) },
    removed: ['image 1'],
  },
  {
    name: 'a process no release matches keeps every image and unpacked dir, not the files',
    input: { keepReleases: 1, releases: deploys('a', 3), running: [{ app: 'gone', release: 1 }], slugFiles: files(1, 2, 3), unpacked: dirs(1), images: images(1) },
    removed: ['slug 1', 'slug 2'],
  },
  {
    name: 'an app destroyed leaves its slugs unreferenced: all go',
    input: { releases: deploys('b', 1, { 1: { checksum: sha(5) } }), knownSlugs: new Set([sha(5)]), slugFiles: files(1, 2, 5), images: images(1, 5) },
    removed: ['slug 1', 'slug 2'],
  },
  {
    name: 'thirty deploys with N = 5 keep five',
    input: { keepReleases: 5, releases: deploys('a', 30), slugFiles: files(...range(1, 30)) },
    removed: range(1, 25).map((n) => `slug ${String(n)}`).sort(),
  },
];

for (const { name, input, removed } of cases) {
  test(`disk plan: ${name}`, () => {
    assert.deepEqual(plan(input), removed);
  });
}

test('disk plan: says why each slug is kept', () => {
  const result = planDiskCollection({
    keepReleases: 1,
    releases: deploys('a', 4, { 2: { current: true }, 3: { status: 'pending' }, 4: { current: false } }),
    running: [{ app: 'a', release: 1 }],
    knownSlugs: new Set(),
    buildsRunning: false,
    slugFiles: [],
    images: [],
    unpacked: [],
  });
  assert.deepEqual(Object.fromEntries([...result.keep].map(([slug, why]) => [parseInt(slug, 16), why])), { 4: 'newest', 2: 'current', 3: 'pending', 1: 'running' });
});
