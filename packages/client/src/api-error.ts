import type { ErrorBody } from '@paas/core';

/**
 * A failed API call. `id` is the server's stable error id (see `ERROR_STATUS` in
 * @paas/core) or one of the client's own: `unreachable` (no connection), `timeout`
 * (no answer in time) and `invalid_response` (an answer that is not the API's JSON).
 * Match on `id`, never on `message`.
 */
export class ApiError extends Error {
  readonly id: string;
  /** The HTTP status, or 0 when no answer came back. */
  readonly status: number;

  constructor(id: string, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.id = id;
    this.status = status;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.id === 'string' && typeof body.message === 'string';
}
