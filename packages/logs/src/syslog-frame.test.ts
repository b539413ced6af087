import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { LogEvent } from './log-event.js';
import { noticeFrame, syslogFrame, syslogMessage } from './syslog-frame.js';

const TOKEN = 'd.01234567-89ab-cdef-0123-456789abcdef';
const event = (line: string, process = 'web.1'): LogEvent => ({ time: '2026-11-22T03:07:09.953Z', source: 'app', process, line });

test('frames a line as RFC 5424 for syslog, with nil structured data so `[INFO]` stays in the message', () => {
  const message = `<190>1 2026-11-22T03:07:09.953Z ${TOKEN} app web.1 - - [INFO] listening on 5000`;
  assert.equal(syslogMessage(event('[INFO] listening on 5000'), TOKEN), message);
  assert.equal(syslogFrame(event('[INFO] listening on 5000'), TOKEN).toString(), `${String(message.length)} ${message}`);
});

test('frames a line as Heroku does for HTTPS drains', () => {
  const message = `<190>1 2026-11-22T03:07:09.953Z ${TOKEN} app web.1 - listening on 5000`;
  assert.equal(syslogMessage(event('listening on 5000'), TOKEN, 'logplex'), message);
  assert.equal(syslogFrame(event('listening on 5000'), TOKEN, 'logplex').toString(), `${String(message.length)} ${message}`);
});

test('the length prefix counts UTF-8 bytes, not characters', () => {
  for (const line of ['é', 'naïve café', '日本語のログ', 'emoji 🚀🔥', 'mixed ß→∑ 😀 end']) {
    const frame = syslogFrame(event(line), TOKEN);
    const space = frame.indexOf(0x20);
    const length = Number(frame.subarray(0, space).toString());
    assert.equal(length, frame.length - space - 1, line);
    assert.equal(frame.subarray(space + 1).toString(), syslogMessage(event(line), TOKEN));
    assert.notEqual(length, syslogMessage(event(line), TOKEN).length, 'a multi-byte line has more bytes than chars');
  }
  // A lone surrogate is sent as U+FFFD: three bytes, counted as three.
  const frame = syslogFrame(event('broken \ud800 pair'), TOKEN);
  const space = frame.indexOf(0x20);
  assert.equal(Number(frame.subarray(0, space).toString()), frame.length - space - 1);
});

test('header fields stay single printable words', () => {
  assert.equal(
    syslogMessage(event('x', 'run 1\n'), TOKEN),
    `<190>1 2026-11-22T03:07:09.953Z ${TOKEN} app run_1_ - - x`,
  );
  assert.equal(syslogMessage(event('x', ''), TOKEN), `<190>1 2026-11-22T03:07:09.953Z ${TOKEN} app - - - x`);
});

test('the drain\'s own notices come from paas[logs]', () => {
  const frame = noticeFrame('Error L10 (output buffer overflow): 3 messages dropped since 2026-11-22T03:07:09.953Z.', TOKEN, new Date('2026-11-22T03:07:10.000Z'));
  assert.match(frame.toString(), new RegExp(`^\\d+ <190>1 2026-11-22T03:07:10.000Z ${TOKEN} paas logs - - Error L10 `));
});
