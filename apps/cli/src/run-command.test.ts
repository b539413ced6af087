import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { CliError } from './cli-error.js';
import { buildRunCommand, quoteShellWord } from './run-command.js';

/** The words `bash -c` splits a command line into (after `printf`), as the remote command gets them. */
function wordsBashSees(commandLine: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${commandLine}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('buildRunCommand', () => {
  it('takes one argument as a whole command line, as heroku/cli does', () => {
    assert.equal(buildRunCommand(['rake test']), 'rake test');
    assert.equal(buildRunCommand(['echo $HOME | wc -c']), 'echo $HOME | wc -c');
  });

  it('joins plain words with spaces, unquoted', () => {
    assert.equal(buildRunCommand(['node', 'server.js', '--port=5000', 'a@b.c', '50%', 'x,y:z+1']), 'node server.js --port=5000 a@b.c 50% x,y:z+1');
  });

  it('quotes words with spaces, quotes and shell characters in single quotes', () => {
    assert.equal(buildRunCommand(['node', '-e', 'console.log("hi there")']), `node -e 'console.log("hi there")'`);
    assert.equal(buildRunCommand(['echo', "it's"]), `echo 'it'\\''s'`);
    assert.equal(buildRunCommand(['echo', '']), `echo ''`);
    assert.equal(buildRunCommand(['ls', '*.js']), `ls '*.js'`);
  });

  it('refuses an empty command', () => {
    for (const args of [[], [''], ['  '], ['', ' ']]) {
      assert.throws(() => buildRunCommand(args), (error: unknown) => error instanceof CliError && error.exitCode === 2, JSON.stringify(args));
    }
  });
});

describe('quoteShellWord', () => {
  it('gives bash back every word exactly, however strange', () => {
    const words = ['plain', 'two words', "it's", 'a"b', '$HOME', '`id`', '$(id)', '*', '~', 'a\\b', 'x;y', 'a|b', '!x', '#c', '{a,b}', 'tab\there', 'new\nline', "''", 'ünï', '-e', '', "'"];
    assert.deepEqual(wordsBashSees(words.map(quoteShellWord).join(' ')), words);
  });
});
