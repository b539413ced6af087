import { PROCESS_SIZE_NAMES } from '@paas/core';

import { usageError } from './cli-error.js';

export interface ScaleRequest {
  readonly type: string;
  /** A number sets the quantity; `"+1"` / `"-2"` change it. */
  readonly quantity?: number | string;
  readonly size?: string;
}

/**
 * heroku/cli's forms: `web=2`, `web=+1`, `web=-1`, `web+1`, `web-1`, each with an
 * optional `:size` (`web=2:standard-2x`), and `web=standard-2x` to change only the size.
 */
const SCALE_PATTERN = /^([A-Za-z0-9_-]+?)(?:=([+-]?\d+)|([+-]\d+))(?::([a-z0-9-]+))?$/;
const SIZE_ONLY_PATTERN = /^([A-Za-z0-9_-]+)=:?([a-z][a-z0-9-]*)$/;

export function parseScaleArgument(arg: string): ScaleRequest {
  const match = SCALE_PATTERN.exec(arg);
  if (match) {
    const [, type = '', set, change, size] = match;
    const amount = set ?? change ?? '';
    const quantity = /^[+-]/.test(amount) ? amount : Number(amount);
    return { type, quantity, ...(size !== undefined ? { size } : {}) };
  }
  const sizeOnly = SIZE_ONLY_PATTERN.exec(arg);
  if (sizeOnly) return { type: sizeOnly[1] ?? '', size: sizeOnly[2] ?? '' };
  throw usageError(
    `${JSON.stringify(arg)} is not a scale request: write TYPE=N (web=2), TYPE=+N / TYPE=-N (web=+1), ` +
      `optionally with a size (web=2:standard-2x), or TYPE=SIZE. Sizes: ${PROCESS_SIZE_NAMES.join(', ')}.`,
  );
}

/** Parses every argument; a type named twice is a mistake worth stopping for. */
export function parseScaleArguments(args: readonly string[]): ScaleRequest[] {
  if (args.length === 0) throw usageError('Say what to scale, e.g. paas ps:scale web=2 worker=1.');
  const requests = args.map(parseScaleArgument);
  const seen = new Set<string>();
  for (const { type } of requests) {
    if (seen.has(type)) throw usageError(`${type} is named twice: give each process type once.`);
    seen.add(type);
  }
  return requests;
}
