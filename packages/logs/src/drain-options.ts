import type { TargetPolicy } from '@paas/core';

import type { DrainBufferOptions } from './drain-buffer.js';

/** Tuning for one drain; every field has a default fit for production. */
export interface DrainOptions extends DrainBufferOptions {
  /** Extra CA certificates to trust for `syslog+tls://` and `https://` (tests, private CAs). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** First retry delay after a failure; doubles per failure up to `retryMaxMs`. Default 500. */
  readonly retryInitialMs?: number;
  /** Longest retry delay. Default 30,000. */
  readonly retryMaxMs?: number;
  /** Syslog: how long connecting may take. HTTP: how long a request may stay silent. Default 10,000 / 30,000. */
  readonly timeoutMs?: number;
  /** HTTP: most lines in one POST. Default 500. */
  readonly maxBatchLines?: number;
  /** HTTP: most body bytes in one POST. Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** HTTP: how long a batch that is not full waits for more lines. Default 250. */
  readonly flushIntervalMs?: number;
  /** Source of jitter for retry delays; `Math.random` unless a test pins it. */
  readonly random?: () => number;
  /** Which addresses a drain may reach; public ones only unless the operator allows private ones. */
  readonly targets?: TargetPolicy;
}
