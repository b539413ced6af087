import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_LINE_BYTES, createLineSplitter } from './line-splitter.js';

function split(chunks: readonly (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.flush();
  return lines;
}

test('lines are split at newlines across chunks, CRLF included, and the rest is flushed', () => {
  assert.deepEqual(split(['one\ntw', 'o\r\nthree\n\nfour']), ['one', 'two', 'three', '', 'four']);
  assert.deepEqual(split(['done\n']), ['done']);
});

test('lines over 10,000 bytes are split, never inside a UTF-8 character', () => {
  assert.deepEqual(split(['x'.repeat(25_000), '\n']).map((line) => line.length), [10_000, 10_000, 5000]);
  const euro = '€'.repeat(4000); // 3 bytes each: 12,000 bytes
  const pieces = split([`${euro}\n`]);
  assert.equal(pieces.join(''), euro);
  for (const piece of pieces) assert.ok(Buffer.byteLength(piece) <= MAX_LINE_BYTES);
  assert.equal(pieces.some((piece) => piece.includes('\ufffd')), false);
});

test('a character split across chunks stays whole, and pending counts held-back bytes', () => {
  const bytes = Buffer.from('é\n');
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  splitter.push(bytes.subarray(0, 1));
  assert.equal(splitter.pending, 1);
  splitter.push(bytes.subarray(1));
  assert.deepEqual(lines, ['é']);
  assert.equal(splitter.pending, 0);
});
