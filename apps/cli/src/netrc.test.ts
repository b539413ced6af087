import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findNetrcEntry, formatNetrcEntry, parseNetrc, removeNetrcEntry, upsertNetrcEntry } from './netrc.js';

const ours = { machine: 'localhost', login: 'paas', password: 'tok-1' };

describe('parseNetrc', () => {
  it('reads multi-line and one-line entries, quotes, comments and macros', () => {
    const text = [
      '# my machines',
      'machine github.com login me password "p w#1"',
      'machine localhost',
      '  login paas',
      '  password tok-0 # old',
      'macdef init',
      'cd /pub',
      'machine fake login x password y',
      '',
      'default login anonymous password me@example.com',
      '',
    ].join('\n');
    const entries = parseNetrc(text);
    assert.deepEqual(
      entries.map(({ machine, login, password }) => ({ machine, login, password })),
      [
        { machine: 'github.com', login: 'me', password: 'p w#1' },
        { machine: 'localhost', login: 'paas', password: 'tok-0' },
        { machine: undefined, login: 'anonymous', password: 'me@example.com' },
      ],
    );
    assert.equal(findNetrcEntry(text, 'fake'), undefined, 'text inside a macro is not an entry');
  });

  it('finds nothing in an empty file', () => {
    assert.deepEqual(parseNetrc(''), []);
  });
});

describe('upsertNetrcEntry', () => {
  it('adds an entry to an empty file', () => {
    assert.equal(upsertNetrcEntry('', ours), 'machine localhost\n  login paas\n  password tok-1\n');
  });

  it('appends after other entries, keeping them byte for byte', () => {
    const before = 'machine github.com\n\tlogin me\n\tpassword secret'; // no final newline
    assert.equal(upsertNetrcEntry(before, ours), `${before}\n${formatNetrcEntry(ours)}\n`);
  });

  it('replaces only our entry, one-line or multi-line, leaving comments and neighbours', () => {
    const before = '# top\nmachine a login x password y\nmachine localhost login paas password old # keep me\nmachine b login z password w\n';
    const after = upsertNetrcEntry(before, ours);
    assert.equal(
      after,
      '# top\nmachine a login x password y\nmachine localhost\n  login paas\n  password tok-1 # keep me\nmachine b login z password w\n',
    );
    assert.equal(findNetrcEntry(after, 'localhost')?.password, 'tok-1');
    assert.equal(upsertNetrcEntry(after, ours), after, 'writing the same credentials twice changes nothing');
  });

  it('puts a new entry before `default`, where curl still finds it', () => {
    const after = upsertNetrcEntry('machine a login x password y\ndefault login anon password p\n', ours);
    assert.equal(after, `machine a login x password y\n${formatNetrcEntry(ours)}\ndefault login anon password p\n`);
  });

  it('refuses values that would corrupt the file', () => {
    assert.throws(() => formatNetrcEntry({ ...ours, password: 'a b' }));
    assert.throws(() => formatNetrcEntry({ ...ours, password: '' }));
  });
});

describe('removeNetrcEntry', () => {
  it('removes our entry and nothing else', () => {
    const text = `machine a login x password y\n${formatNetrcEntry(ours)}\nmachine b login z password w\n`;
    assert.equal(removeNetrcEntry(text, 'localhost'), 'machine a login x password y\nmachine b login z password w\n');
  });

  it('leaves a file without the entry unchanged', () => {
    const text = 'machine a login x password y\n';
    assert.equal(removeNetrcEntry(text, 'localhost'), text);
  });

  it('empties a file that held only our entry', () => {
    assert.equal(removeNetrcEntry(upsertNetrcEntry('', ours), 'localhost'), '');
  });
});
