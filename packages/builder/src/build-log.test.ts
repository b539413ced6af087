import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, it } from 'node:test';

import { BuildLog } from './build-log.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('BuildLog', () => {
  it('writes step, detail and error lines in Heroku style', () => {
    const out = collect();
    const log = new BuildLog(out.stream);
    log.step('Installing binaries');
    log.detail('node 26.10.0');
    log.error('It broke.');
    assert.equal(out.text(), '-----> Installing binaries\n       node 26.10.0\n !     It broke.\n');
  });

  it('forwards command output up to the limit, then one note, and keeps a tail', async () => {
    const out = collect();
    const log = new BuildLog(out.stream, { limitBytes: 1000 });
    const sink = log.sink();
    for (let i = 0; i < 200; i++) sink.write(`line ${String(i).padStart(3, '0')} of the output\n`);
    sink.end();
    await finished(sink);
    log.step('After');
    const text = out.text();
    assert.ok(text.length < 1200, `capped at about the limit, got ${String(text.length)}`);
    assert.match(text, /line 000 of the output\n/);
    assert.match(text, /\[output truncated: this build printed more than 1000B; the rest is not shown, the build goes on\]\n-----> After\n$/);
    assert.equal(log.truncated, true);
    assert.match(log.tail(), /line 199 of the output\n$/);
  });
});
