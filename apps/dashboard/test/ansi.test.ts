import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { PLAIN_STYLE, applySgr, collapseCarriageReturns, parseAnsi } from '../src/ansi.js';

describe('parseAnsi', () => {
  test('plain text is one segment without classes', () => {
    assert.deepEqual(parseAnsi('hello <b>world</b>').segments, [{ text: 'hello <b>world</b>', classes: [] }]);
  });

  test('colours, bold and reset become classes', () => {
    const { segments, style } = parseAnsi('\x1b[1;31merror\x1b[0m: \x1b[92mok\x1b[39m done');
    assert.deepEqual(segments, [
      { text: 'error', classes: ['fg-1', 'bold'] },
      { text: ': ', classes: [] },
      { text: 'ok', classes: ['fg-10'] },
      { text: ' done', classes: [] },
    ]);
    assert.deepEqual(style, PLAIN_STYLE);
  });

  test('the style carries over from one call to the next', () => {
    const first = parseAnsi('\x1b[33mwarn');
    assert.deepEqual(parseAnsi('still', first.style).segments, [{ text: 'still', classes: ['fg-3'] }]);
  });

  test('256 colours and truecolor fall onto the 16-colour palette', () => {
    assert.deepEqual(parseAnsi('\x1b[38;5;196mred\x1b[48;2;0;0;255mblue').segments, [
      { text: 'red', classes: ['fg-9'] },
      { text: 'blue', classes: ['fg-9', 'bg-12'] },
    ]);
  });

  test('cursor moves, titles and other controls are dropped, not shown', () => {
    const { segments } = parseAnsi('\x1b[2K\x1b[1Gnpm\x1b]0;title\x07 install\x07\x00\x1b(B done\x1b[?25h');
    assert.deepEqual(segments, [{ text: 'npm install done', classes: [] }]);
  });

  test('an escape sequence cut short leaves no stray bytes', () => {
    assert.deepEqual(parseAnsi('a\x1b').segments, [{ text: 'a', classes: [] }]);
  });

  test('inverse swaps foreground and background', () => {
    assert.deepEqual(parseAnsi('\x1b[7;32mx').segments, [{ text: 'x', classes: ['fg-0', 'bg-2'] }]);
  });
});

test('applySgr: an empty parameter list resets', () => {
  assert.deepEqual(applySgr({ ...PLAIN_STYLE, bold: true, fg: 2 }, ''), PLAIN_STYLE);
});

test('collapseCarriageReturns keeps what a terminal would show last', () => {
  assert.equal(collapseCarriageReturns('10%\r50%\r100%\nnext\r\nend'), '100%\nnext\nend');
});
