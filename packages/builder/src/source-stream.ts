import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Starts consuming `stream` now, into a buffer that applies backpressure. */
export function takeStream(stream: Readable): Readable {
  const tap = new PassThrough();
  pipeline(stream, tap).catch(() => {
    // pipeline has destroyed `tap` with the error: the reader sees it there.
  });
  return tap;
}

/** Peeks at the first bytes: gzip streams are unzipped on the way in. */
export async function* maybeGunzip(source: Readable): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done === true) return;
  const head = first.value;
  const all = (async function* () {
    yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  })();
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* all;
    return;
  }
  const gunzip = createGunzip();
  // A failure on either side destroys the other; the reader below then throws it.
  pipeline(Readable.from(all), gunzip).catch(() => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
}

