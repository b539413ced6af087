import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  netrcPath,
  readNetrcPassword,
  removeNetrcCredentials,
  saveNetrcCredentials,
} from './netrc-file.js';

describe('netrc file', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'paas-netrc-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lives in $HOME', () => {
    assert.equal(netrcPath({ HOME: home }), join(home, '.netrc'));
  });

  it('is created with mode 0600, updated in place of the old entry, and keeps other entries', async () => {
    const path = netrcPath({ HOME: home });
    await writeFile(path, 'machine github.com login me password gh\n', { mode: 0o644 });
    await saveNetrcCredentials(path, { machine: 'localhost', login: 'paas', password: 'one' });
    await saveNetrcCredentials(path, { machine: 'localhost', login: 'paas', password: 'two' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await readNetrcPassword(path, 'localhost'), 'two');
    assert.equal(await readNetrcPassword(path, 'github.com'), 'gh');
    assert.deepEqual(await readdir(home), ['.netrc'], 'no temp files left behind');
  });

  it('forgets only our entry on removal', async () => {
    const path = netrcPath({ HOME: home });
    assert.equal(await removeNetrcCredentials(path, 'localhost'), true);
    assert.equal(await removeNetrcCredentials(path, 'localhost'), false);
    assert.equal(await readFile(path, 'utf8'), 'machine github.com login me password gh\n');
  });

  it('reads no password when there is no file', async () => {
    assert.equal(await readNetrcPassword(join(home, 'missing', '.netrc'), 'localhost'), undefined);
  });
});
