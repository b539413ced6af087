import { BUILD_ID_HEADER } from '@paas/core';

import { ApiError } from './api-error.js';
import type { Transport } from './transport.js';

export interface BuildStream {
  /** The build the upload started: read its outcome with getBuild once `output` ends. */
  readonly buildId: string;
  /** The build output as paasd writes it, chunk by chunk; it ends when the build ends. */
  readonly output: AsyncIterable<Uint8Array>;
}

/**
 * POSTs a gzipped tarball as it is produced and resolves as soon as paasd answers,
 * with the build id and the output still streaming. A build runs for minutes, so
 * there is no deadline for the whole request: the upload is given up only when it
 * makes no progress for the transport's timeout, and the output runs until paasd
 * ends it (paasd bounds a build's time). When `source` throws (the archiver
 * failed), that error is what the caller gets, not the aborted request's.
 */
export async function uploadSource(transport: Transport, path: string, source: AsyncIterable<Uint8Array>): Promise<BuildStream> {
  const watch = createProgressWatch(transport.timeoutMs);
  const upload = createUploadStream(source, watch.touch);
  let response: Response;
  try {
    response = await transport.open({
      method: 'POST',
      path,
      accept: 'text/plain, application/json',
      upload: { body: upload.body, contentType: 'application/gzip' },
      signal: watch.signal,
    });
  } catch (error) {
    throw upload.failure() ?? error;
  } finally {
    watch.stop();
  }
  const url = transport.urlOf(path);
  const buildId = response.headers.get(BUILD_ID_HEADER);
  if (buildId === null || buildId.trim() === '') {
    await response.body?.cancel();
    throw new ApiError(
      'invalid_response',
      `POST ${url} answered ${String(response.status)} without a ${BUILD_ID_HEADER} header: is PAAS_API_URL pointing at paasd?`,
      response.status,
    );
  }
  const broken = (error: unknown): unknown =>
    upload.failure() ??
    new ApiError(
      'unreachable',
      `The connection to ${url} broke while the build output streamed: the build may still be running; see paas builds:info ${buildId}.`,
      response.status,
      { cause: error },
    );
  return { buildId, output: readOutput(response.body, broken) };
}

interface ProgressWatch {
  readonly signal: AbortSignal;
  /** Progress was made: start the wait over. */
  readonly touch: () => void;
  readonly stop: () => void;
}

/** Aborts with a TimeoutError when `touch` is not called for `ms`. */
function createProgressWatch(ms: number): ProgressWatch {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const touch = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new DOMException(`no progress for ${String(ms)} ms`, 'TimeoutError')), ms);
    timer.unref();
  };
  touch();
  return {
    signal: controller.signal,
    touch,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

interface UploadStream {
  readonly body: ReadableStream<Uint8Array>;
  /** What `source` threw, if it threw. */
  readonly failure: () => unknown;
}

/** Pulls from `source` only as fast as fetch sends; cancelling the request ends the source. */
function createUploadStream(source: AsyncIterable<Uint8Array>, onChunk: () => void): UploadStream {
  const iterator = source[Symbol.asyncIterator]();
  let failure: unknown;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = error;
        controller.error(error);
        return;
      }
      if (next.done === true) {
        controller.close();
        return;
      }
      onChunk();
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
  return { body, failure: () => failure };
}

async function* readOutput(
  body: ReadableStream<Uint8Array> | null,
  broken: (error: unknown) => unknown,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (body === null) return;
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw broken(error);
  }
}
