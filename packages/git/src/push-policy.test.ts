import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { planPush, showRef, type PushPlan, type RefUpdate } from './push-policy.js';

const ZERO = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const update = (ref: string, newRev = B, oldRev = A): RefUpdate => ({ oldRev, newRev, ref });

describe('planPush', () => {
  const cases: { name: string; updates: RefUpdate[]; expected: PushPlan }[] = [
    { name: 'nothing pushed', updates: [], expected: { ok: true, deploy: null } },
    { name: 'main deploys', updates: [update('refs/heads/main')], expected: { ok: true, deploy: update('refs/heads/main') } },
    { name: 'master deploys', updates: [update('refs/heads/master')], expected: { ok: true, deploy: update('refs/heads/master') } },
    {
      name: 'a new main deploys',
      updates: [update('refs/heads/main', B, ZERO)],
      expected: { ok: true, deploy: update('refs/heads/main', B, ZERO) },
    },
    {
      name: 'main with tags deploys main',
      updates: [update('refs/tags/v1'), update('refs/heads/main')],
      expected: { ok: true, deploy: update('refs/heads/main') },
    },
    { name: 'tags alone build nothing', updates: [update('refs/tags/v1')], expected: { ok: true, deploy: null } },
    {
      name: 'another branch is refused with the way to deploy it',
      updates: [update('refs/heads/feature')],
      expected: {
        ok: false,
        messages: [' !     Pushed to refs/heads/feature; paas deploys only main (or master): git push paas feature:main'],
      },
    },
    {
      name: 'another branch next to main refuses the whole push',
      updates: [update('refs/heads/main'), update('refs/heads/wip')],
      expected: {
        ok: false,
        messages: [' !     Pushed to refs/heads/wip; paas deploys only main (or master): git push paas wip:main'],
      },
    },
    {
      name: 'deleting main is refused',
      updates: [update('refs/heads/main', ZERO)],
      expected: { ok: false, messages: [' !     Deleting refs/heads/main is not allowed: it is the branch paas deploys.'] },
    },
    {
      name: 'main and master together are refused',
      updates: [update('refs/heads/main'), update('refs/heads/master')],
      expected: { ok: false, messages: [' !     Pushed to both main and master; push one of them: git push paas main'] },
    },
    {
      name: 'other namespaces are refused',
      updates: [update('refs/notes/commits')],
      expected: {
        ok: false,
        messages: [' !     Pushed to refs/notes/commits; paas accepts only the branch main (or master) and tags.'],
      },
    },
    {
      name: 'shell metacharacters are shown quoted',
      updates: [update('refs/heads/$(rm -rf ~);a|b&c<d>')],
      expected: {
        ok: false,
        messages: [
          " !     Pushed to 'refs/heads/$(rm -rf ~);a|b&c<d>'; paas deploys only main (or master): git push paas '$(rm -rf ~);a|b&c<d>:main'",
        ],
      },
    },
    {
      name: 'a branch starting with a dash is suggested by its full name',
      updates: [update('refs/heads/-f')],
      expected: {
        ok: false,
        messages: [' !     Pushed to refs/heads/-f; paas deploys only main (or master): git push paas refs/heads/-f:main'],
      },
    },
    {
      name: 'a quote in a branch is escaped for the shell',
      updates: [update("refs/heads/it's")],
      expected: {
        ok: false,
        messages: [
          ` !     Pushed to 'refs/heads/it'\\''s'; paas deploys only main (or master): git push paas 'it'\\''s:main'`,
        ],
      },
    },
  ];
  for (const { name, updates, expected } of cases) {
    it(name, () => assert.deepEqual(planPush(updates), expected));
  }
});

describe('showRef', () => {
  const cases: [string, string][] = [
    ['refs/heads/main', 'refs/heads/main'],
    ['-x', "'-x'"],
    ['a b', "'a b'"],
    ['a;b', "'a;b'"],
    ['\u001b[31mred', "'\\u{1b}[31mred'"],
    ['bidi\u202eevil', "'bidi\\u{202e}evil'"],
    ['caf\u00e9', "'caf\u00e9'"],
  ];
  for (const [ref, shown] of cases) {
    it(`shows ${JSON.stringify(ref)} as ${shown}`, () => assert.equal(showRef(ref), shown));
  }
});

describe('planPush with review apps', () => {
  const review = { reviewBranches: true };
  it('deploys one other branch and accepts deleting it', () => {
    assert.deepEqual(planPush([update('refs/heads/feature')], review), { ok: true, deploy: update('refs/heads/feature') });
    assert.deepEqual(planPush([update('refs/heads/feature', ZERO)], review), { ok: true, deploy: null, deletes: [update('refs/heads/feature', ZERO)] });
  });
  it('still refuses deleting main or a tag, and two branches at once', () => {
    assert.equal(planPush([update('refs/heads/main', ZERO)], review).ok, false);
    assert.deepEqual(planPush([update('refs/tags/v1', ZERO)], review), { ok: false, messages: [' !     Deleting refs/tags/v1 is not allowed: tags stay.'] });
    assert.deepEqual(planPush([update('refs/heads/main'), update('refs/heads/feature')], review), { ok: false, messages: [' !     Pushed to more than one branch; push one branch at a time.'] });
  });
});
