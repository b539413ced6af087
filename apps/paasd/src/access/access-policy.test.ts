import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decideAppAccess, memberMayUse, normalizePermissions, requiredPermission, scopeAllows } from './access-policy.js';

test('a read token only reads; a write token changes apps but not the account; global does all', () => {
  const cases: [Parameters<typeof scopeAllows>, boolean][] = [
    [['read', 'GET', '/apps/:app/config-vars'], true],
    [['read', 'POST', '/apps/:app/log-sessions'], true],
    [['read', 'PATCH', '/apps/:app/config-vars'], false],
    [['read', 'GET', '/apps/:app/run'], false],
    [['read', 'POST', '/apps'], false],
    [['read', 'DELETE', '/oauth/authorizations/:id'], false],
    [['write', 'PATCH', '/apps/:app/config-vars'], true],
    [['write', 'POST', '/oauth/authorizations'], false],
    [['write', 'POST', '/users'], false],
    [['global', 'POST', '/oauth/authorizations'], true],
  ];
  for (const [args, expected] of cases) assert.equal(scopeAllows(...args), expected, args.join(' '));
});

test('each app route needs a permission: reads view, deploys deploy, scaling operate, the rest manage', () => {
  assert.equal(requiredPermission('GET', '/config-vars'), 'view');
  assert.equal(requiredPermission('POST', '/log-sessions'), 'view');
  assert.equal(requiredPermission('PATCH', '/config-vars'), 'deploy');
  assert.equal(requiredPermission('GET', '/run'), 'deploy');
  assert.equal(requiredPermission('POST', '/dynos'), 'deploy');
  assert.equal(requiredPermission('PATCH', '/formation'), 'operate');
  assert.equal(requiredPermission('DELETE', '/dynos/:dyno'), 'operate');
  assert.equal(requiredPermission('DELETE', ''), 'manage');
  assert.equal(requiredPermission('POST', '/collaborators'), 'manage');
  assert.equal(requiredPermission('POST', '/domains'), 'manage');
});

test('admins reach every app; members their own as far as their permissions go, others are hidden', () => {
  assert.equal(decideAppAccess('admin', undefined, 'manage'), 'allow');
  assert.equal(decideAppAccess('member', undefined, 'view'), 'hidden');
  assert.equal(decideAppAccess('member', ['deploy'], 'view'), 'allow');
  assert.equal(decideAppAccess('member', ['deploy'], 'deploy'), 'allow');
  assert.equal(decideAppAccess('member', ['view', 'deploy'], 'operate'), 'forbidden');
  assert.deepEqual(normalizePermissions(['operate']), ['view', 'deploy', 'operate']);
  assert.deepEqual(normalizePermissions([]), ['view']);
  assert.equal(memberMayUse('/apps'), true);
  assert.equal(memberMayUse('/apps/:app/releases'), true);
  assert.equal(memberMayUse('/oauth/authorizations/:id'), true);
  assert.equal(memberMayUse('/users'), false);
  assert.equal(memberMayUse('/pipelines'), false);
  assert.equal(memberMayUse('/disk/collect'), false);
});
