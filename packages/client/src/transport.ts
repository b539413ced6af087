import { ERROR_STATUS } from '@paas/core';

import { ApiError, isErrorBody } from './api-error.js';

export const USER_AGENT = 'paas-cli/0.1.0';
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface TransportOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly userAgent?: string;
  readonly timeoutMs?: number;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Sends one request; resolves with the parsed JSON body of a 2xx answer, else throws ApiError. */
export type Send = <T>(request: ApiRequest) => Promise<ApiResponse<T>>;

export function createTransport(options: TransportOptions): Send {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async <T>(request: ApiRequest): Promise<ApiResponse<T>> => {
    const url = `${base}${request.path}`;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${options.token}`,
      'User-Agent': options.userAgent ?? USER_AGENT,
      ...request.headers,
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(url, {
        method: request.method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      });
    } catch (error) {
      throw connectionError(error, base, timeoutMs);
    }
    const body = await readJson(response, request, url);
    if (!response.ok) throw errorFromAnswer(response.status, body, request, url);
    return { status: response.status, headers: response.headers, body: body as T };
  };
}

function connectionError(error: unknown, base: string, timeoutMs: number): ApiError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ApiError(
      'timeout',
      `The paas API at ${base} did not answer within ${String(timeoutMs / 1000)} s: check that paasd is running and healthy.`,
      0,
      { cause: error },
    );
  }
  return new ApiError(
    'unreachable',
    `Could not reach the paas API at ${base}: start paasd, or set PAAS_API_URL to the address it listens on.`,
    0,
    { cause: error },
  );
}

async function readJson(response: Response, request: ApiRequest, url: string): Promise<unknown> {
  const text = await response.text().catch((error: unknown) => {
    throw new ApiError('unreachable', `The connection to ${url} broke while reading the answer: try again.`, response.status, {
      cause: error,
    });
  });
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!response.ok) return undefined; // errorFromAnswer reports the status instead
    throw new ApiError(
      'invalid_response',
      `${request.method} ${url} answered ${String(response.status)} with a body that is not JSON: is PAAS_API_URL pointing at paasd?`,
      response.status,
      { cause: error },
    );
  }
}

const ID_BY_STATUS = new Map<number, string>(Object.entries(ERROR_STATUS).map(([id, status]) => [status, id]));

function errorFromAnswer(status: number, body: unknown, request: ApiRequest, url: string): ApiError {
  if (isErrorBody(body)) return new ApiError(body.id, body.message, status);
  return new ApiError(
    ID_BY_STATUS.get(status) ?? 'invalid_response',
    `${request.method} ${url} failed with HTTP ${String(status)} and no error details: is PAAS_API_URL pointing at paasd?`,
    status,
  );
}
