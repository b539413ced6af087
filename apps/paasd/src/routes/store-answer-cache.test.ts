import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createStoreAnswerCache } from './store-answer-cache.js';

test('an answer is reused until the generation moves, per key, and the least recently used goes first', () => {
  let generation = 1;
  let made = 0;
  const cache = createStoreAnswerCache<string>(() => generation, 2);
  const make = (value: string) => () => {
    made += 1;
    return `${value}@${String(generation)}`;
  };
  assert.equal(cache.get('a', make('a')), 'a@1');
  assert.equal(cache.get('a', make('a')), 'a@1');
  assert.equal(made, 1);
  generation = 2;
  assert.equal(cache.get('a', make('a')), 'a@2', 'a write anywhere makes it again');
  assert.equal(cache.get('b', make('b')), 'b@2');
  assert.equal(cache.get('a', make('a')), 'a@2');
  assert.equal(made, 3);
  assert.equal(cache.get('c', make('c')), 'c@2', 'b, the least recently used, goes');
  assert.equal(cache.get('a', make('a')), 'a@2');
  assert.equal(made, 4);
  assert.equal(cache.get('b', make('b')), 'b@2');
  assert.equal(made, 5);
  assert.throws(() => cache.get('d', () => { throw new Error('no such app'); }), /no such app/);
  assert.equal(cache.get('d', make('d')), 'd@2', 'a failure keeps nothing');
});
