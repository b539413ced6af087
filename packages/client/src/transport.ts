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

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  readonly method: ApiMethod;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** For a call that answers only when long work is done; else the client's per-request timeout. */
  readonly timeoutMs?: number;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Sends one request; resolves with the parsed JSON body of a 2xx answer, else throws ApiError. */
export type Send = <T>(request: ApiRequest) => Promise<ApiResponse<T>>;

/** A request whose answer is not JSON (build output), or whose body is a stream (source upload). */
export interface StreamRequest {
  readonly method: ApiMethod;
  readonly path: string;
  /** The media types the caller reads; errors still come back as JSON. */
  readonly accept: string;
  /** Sent as it is read (`duplex: 'half'`), never held in memory whole. */
  readonly upload?: { readonly body: ReadableStream<Uint8Array>; readonly contentType: string };
  /** Ends the request and the reading of its answer; without one the per-request timeout applies. */
  readonly signal?: AbortSignal;
}

/** Resolves with a 2xx answer whose body the caller reads, else throws ApiError. */
export type Open = (request: StreamRequest) => Promise<Response>;

/** Where to open a websocket to the API, and the headers its upgrade request must carry. */
export interface SocketTarget {
  /** `ws://…` or `wss://…`, as the API's base URL is http or https. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Transport {
  readonly send: Send;
  readonly open: Open;
  /** The per-request timeout, for callers that keep their own watch. */
  readonly timeoutMs: number;
  /** The full URL of an API path, for messages. */
  readonly urlOf: (path: string) => string;
  /** The websocket URL of an API path, with the token and user agent to send on the upgrade. */
  readonly socketOf: (path: string) => SocketTarget;
}

export function createTransport(options: TransportOptions): Transport {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseHeaders = (): Record<string, string> => ({
    Authorization: `Bearer ${options.token}`,
    'User-Agent': options.userAgent ?? USER_AGENT,
  });
  const fetchOrThrow = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await doFetch(url, init);
    } catch (error) {
      throw connectionError(error, base, timeoutMs);
    }
  };

  const send: Send = async <T>(request: ApiRequest): Promise<ApiResponse<T>> => {
    const url = `${base}${request.path}`;
    const headers: Record<string, string> = { Accept: 'application/json', ...baseHeaders(), ...request.headers };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetchOrThrow(url, {
      method: request.method,
      headers,
      signal: AbortSignal.timeout(request.timeoutMs ?? timeoutMs),
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    const body = await readJson(response, request, url);
    if (!response.ok) throw errorFromAnswer(response.status, body, request, url);
    return { status: response.status, headers: response.headers, body: body as T };
  };

  const open: Open = async (request) => {
    const url = `${base}${request.path}`;
    const headers: Record<string, string> = { Accept: request.accept, ...baseHeaders() };
    if (request.upload) headers['Content-Type'] = request.upload.contentType;
    const response = await fetchOrThrow(url, {
      method: request.method,
      headers,
      signal: request.signal ?? AbortSignal.timeout(timeoutMs),
      ...(request.upload ? { body: request.upload.body, duplex: 'half' } : {}),
    });
    if (response.ok) return response;
    throw errorFromAnswer(response.status, await readJson(response, request, url), request, url);
  };

  const socketOf = (path: string): SocketTarget => ({
    url: `${base.replace(/^http(s?):/i, 'ws$1:')}${path}`,
    headers: baseHeaders(),
  });

  return { send, open, timeoutMs, urlOf: (path) => `${base}${path}`, socketOf };
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

async function readJson(response: Response, request: { readonly method: ApiMethod }, url: string): Promise<unknown> {
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

function errorFromAnswer(status: number, body: unknown, request: { readonly method: ApiMethod }, url: string): ApiError {
  if (isErrorBody(body)) return new ApiError(body.id, body.message, status);
  return new ApiError(
    ID_BY_STATUS.get(status) ?? 'invalid_response',
    `${request.method} ${url} failed with HTTP ${String(status)} and no error details: is PAAS_API_URL pointing at paasd?`,
    status,
  );
}
