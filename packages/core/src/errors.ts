/**
 * The one registry of error ids. Ids are stable: clients match on them, never on
 * message text. `docs/api.md` carries the same table; a test keeps the two in sync.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_params: 422,
  slug_collected: 422,
  stack_mismatch: 422,
  rate_limit: 429,
  internal_error: 500,
  service_unavailable: 503,
  insufficient_storage: 507,
} as const satisfies Record<string, number>;

export type ErrorId = keyof typeof ERROR_STATUS;

export const ERROR_IDS = Object.keys(ERROR_STATUS) as ErrorId[];

export function isErrorId(value: unknown): value is ErrorId {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/** An error meant for the user: its message says what was wrong and what to do. */
export class PaasError extends Error {
  readonly id: ErrorId;
  readonly status: number;

  constructor(id: ErrorId, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PaasError';
    this.id = id;
    this.status = ERROR_STATUS[id];
  }
}

export function notFound(what: string, name: string): PaasError {
  return new PaasError('not_found', `Couldn't find that ${what}: ${name}.`);
}

export function invalidParams(message: string): PaasError {
  return new PaasError('invalid_params', message);
}

const OUT_OF_SPACE_CODES: ReadonlySet<unknown> = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when an error, or one it was caused by, is a full disk or an exceeded quota. */
export function isOutOfSpace(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth += 1) {
    if (OUT_OF_SPACE_CODES.has((current as NodeJS.ErrnoException).code)) return true;
  }
  return false;
}
