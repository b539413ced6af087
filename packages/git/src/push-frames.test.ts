import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FRAME, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame, encodeFrames, parseHello } from './push-frames.js';

describe('frames', () => {
  it('round-trip through arbitrary chunk boundaries', () => {
    const bytes = Buffer.concat([
      encodeFrame(FRAME.output, 'hello\n'),
      ...encodeFrames(FRAME.data, Buffer.alloc(200_000, 7)),
      encodeFrame(FRAME.exit, Buffer.from([3])),
    ]);
    const decoder = new FrameDecoder();
    const frames = [];
    for (let start = 0; start < bytes.length; start += 997) frames.push(...decoder.push(bytes.subarray(start, start + 997)));
    assert.equal(decoder.pendingBytes, 0);
    assert.deepEqual(
      frames.map((frame) => [frame.type, frame.payload.length]),
      [[FRAME.output, 6], [FRAME.data, 65536], [FRAME.data, 65536], [FRAME.data, 65536], [FRAME.data, 3392], [FRAME.exit, 1]],
    );
    assert.equal(frames.at(-1)?.payload[0], 3);
  });
  it('refuse an oversized frame', () => {
    const header = Buffer.alloc(5);
    header.writeUInt8(FRAME.data, 0);
    header.writeUInt32BE(MAX_FRAME_PAYLOAD + 1, 1);
    assert.throws(() => new FrameDecoder().push(header), RangeError);
    assert.throws(() => encodeFrame(FRAME.data, Buffer.alloc(MAX_FRAME_PAYLOAD + 1)), RangeError);
  });
});

describe('parseHello', () => {
  const rev = 'c'.repeat(40);
  const good = { v: 1, ticket: 't', app: 'my-app', updates: [{ oldRev: rev, newRev: rev, ref: 'refs/heads/main' }] };
  const parse = (value: unknown): unknown => parseHello(Buffer.from(JSON.stringify(value)));
  it('accepts a well-formed hello', () => assert.deepEqual(parse(good), good));
  it('refuses anything else', () => {
    assert.equal(parseHello(Buffer.from('not json')), null);
    assert.equal(parse({ ...good, v: 2 }), null);
    assert.equal(parse({ ...good, updates: [{ oldRev: 'HEAD', newRev: rev, ref: 'x' }] }), null);
    assert.equal(parse({ ...good, updates: [{ oldRev: rev, newRev: rev, ref: '' }] }), null);
    assert.equal(parse({ ...good, ticket: 3 }), null);
  });
});
