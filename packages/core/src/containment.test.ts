import assert from 'node:assert/strict';
import { test } from 'node:test';

import { containedCommand, passableParents } from './containment.js';

const user = { uid: 200_123, gid: 200_123 };

test('without a sandbox the command is unchanged and the user goes to spawn', () => {
  assert.deepEqual(containedCommand('bash', ['-c', 'x'], { user, writable: ['/a'], cwd: '/a' }), { command: 'bash', args: ['-c', 'x'], user });
  assert.deepEqual(containedCommand('bash', ['-c', 'x'], { writable: ['/a'], cwd: '/a' }), { command: 'bash', args: ['-c', 'x'] });
});

test('in a sandbox: hidden dirs are masked before the writable ones are bound back, then setpriv drops to the user', () => {
  const contained = containedCommand('bash', ['-c', 'echo $0'], {
    user,
    sandbox: { bwrap: '/usr/bin/bwrap', hidden: ['/data'] },
    writable: ['/data/local/processes/p/app'],
    cwd: '/data/local/processes/p/app',
  });
  assert.equal(contained.command, 'env');
  assert.equal(contained.user, undefined, 'bwrap starts as root; setpriv changes user');
  const args = contained.args;
  assert.deepEqual(args.slice(0, 2), ['--ignore-signal=TERM', '/usr/bin/bwrap'], 'bwrap ignores the SIGTERM meant for the app');
  const mask = args.indexOf('/data');
  const bind = args.indexOf('--bind');
  assert.ok(mask > 0 && bind > mask, 'the tmpfs over the data dir comes first');
  const tmp = args.indexOf('/tmp');
  assert.deepEqual(args.slice(tmp - 3, tmp + 1), ['--perms', '1777', '--tmpfs', '/tmp'], 'a private /tmp the app user can write');
  assert.deepEqual(args.slice(bind, bind + 3), ['--bind', '/data/local/processes/p/app', '/data/local/processes/p/app']);
  assert.ok(!args.includes('--new-session') && !args.includes('--die-with-parent'), 'stays in the process group; outlives paasd');
  const end = args.indexOf('--', 2);
  assert.deepEqual(args.slice(end), [
    '--', 'env', '--default-signal=TERM',
    'setpriv', '--reuid=200123', '--regid=200123', '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--',
    'bash', '-c', 'echo $0',
  ]);
});

test('the dirs between a tmpfs and a bound dir are made passable, deepest tmpfs first, each once', () => {
  assert.deepEqual(passableParents(['/data/local/processes/p/app', '/data/local/processes/q/app', '/elsewhere/x'], ['/data', '/tmp']), [
    '/data/local',
    '/data/local/processes',
    '/data/local/processes/p',
    '/data/local/processes/q',
  ]);
  assert.deepEqual(passableParents(['/tmp/t/data/tmp/build'], ['/tmp/t/data', '/tmp']), ['/tmp/t/data/tmp']);
});
