import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseAppJson, planAppJsonEnv } from './app-json.js';
import { PROCESS_SIZE_NAMES } from './formation.js';

test('a full app.json is read', () => {
  const parsed = parseAppJson(JSON.stringify({
    name: 'shop',
    description: 'A shop',
    env: { SECRET_KEY: { generator: 'secret' }, MODE: 'demo', API_TOKEN: { description: 'from the vendor', required: true }, OPTIONAL: { required: false } },
    formation: { web: { quantity: 2, size: 'standard' } },
    addons: ['postgresql', { plan: 'redis', as: 'CACHE' }],
    buildpacks: [{ url: 'procfile' }],
    scripts: { postdeploy: 'python3 seed.py', 'pr-predestroy': 'echo bye' },
    environments: { review: { env: { MODE: 'review' }, formation: { web: { quantity: 1 } } } },
    repository: 'https://example.com/shop',
  }));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(parsed.manifest.env['MODE'], { value: 'demo', required: true });
  assert.deepEqual(parsed.manifest.addons, [{ plan: 'postgresql' }, { plan: 'redis', as: 'CACHE' }]);
  assert.deepEqual(parsed.manifest.buildpacks, ['procfile']);
  assert.deepEqual(parsed.manifest.environments.review?.env?.['MODE'], { value: 'review', required: true });
});

test('every error names its field and what is wrong', () => {
  const parsed = parseAppJson(JSON.stringify({
    env: { 'BAD-KEY': 'x', SECRET: { generator: 'uuid' }, BOTH: { value: 'x', generator: 'secret' }, FLAG: { required: 'yes' } },
    formation: { web: { quantity: -1, size: 'huge' } },
    addons: [{ as: 'db' }],
    buildpacks: 'nodejs',
    scripts: { predeploy: 'x', postdeploy: '' },
    environments: { review: 'yes' },
  }));
  assert.equal(parsed.ok, false);
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    'env.BAD-KEY is not a valid config var name (letters, digits and underscores, not starting with a digit)',
    'env.SECRET.generator must be "secret", not "uuid"',
    'env.BOTH has both a value and a generator: keep one',
    'env.FLAG.required must be true or false, not "yes"',
    'formation.web.quantity must be a whole number from 0 to 100, not -1',
    `formation.web.size must be one of ${PROCESS_SIZE_NAMES.join(', ')}, not "huge"`,
    'addons[0].plan is required',
    'buildpacks must be a list of {"url": …}, not "nodejs"',
    'scripts.predeploy is not a script this platform runs (postdeploy, pr-predestroy)',
    'scripts.postdeploy must not be empty',
    'environments.review must be an object, not "yes"',
  ]);
  const broken = parseAppJson('{"env": ');
  assert.ok(!broken.ok);
  assert.match(broken.errors[0] ?? '', /^app\.json is not valid JSON: /);
});

test('env adds only what the app lacks: a generated secret is made once', () => {
  const env = { SECRET_KEY: { generator: 'secret' as const, required: true }, MODE: { value: 'demo', required: true }, TOKEN: { required: true }, OPT: { required: false } };
  const first = planAppJsonEnv(env, {}, () => 'generated');
  assert.deepEqual(first, { set: { SECRET_KEY: 'generated', MODE: 'demo' }, missing: ['TOKEN'] });
  const again = planAppJsonEnv(env, { SECRET_KEY: 'generated', MODE: 'changed', TOKEN: 't' }, () => 'other');
  assert.deepEqual(again, { set: {}, missing: [] });
  assert.match(planAppJsonEnv(env, {}).set['SECRET_KEY'] ?? '', /^[0-9a-f]{64}$/);
});
