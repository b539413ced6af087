/** A small fetch wrapper for the paas API: bearer token on every call, `{id, message}` errors. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResult<T> {
  readonly body: T;
  readonly headers: Headers;
  readonly status: number;
}

export interface Api {
  get<T>(path: string, headers?: Record<string, string>): Promise<T>;
  text(path: string): Promise<string>;
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>>;
  /** The raw response of a successful request (streamed bodies: a source upload). */
  raw(method: string, path: string, init?: { body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
}

/** `/apps/{name}/…` with every segment escaped. */
export function apiPath(...segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { id?: unknown; message?: unknown };
    if (typeof body.id === 'string' && typeof body.message === 'string') return new ApiError(response.status, body.id, body.message);
  } catch {
    // Not the API's JSON error (a proxy's page): fall through to a generic message.
  }
  return new ApiError(response.status, 'http_error', `The server answered ${String(response.status)} ${response.statusText}.`);
}

export function createApi(token: string, onUnauthorized: () => void): Api {
  const raw = async (method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, 'network', `paasd cannot be reached (${error instanceof Error ? error.message : String(error)}).`);
    }
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw await errorOf(response);
    return response;
  };
  return {
    raw,
    async get<T>(path: string, headers: Record<string, string> = {}) {
      return (await (await raw('GET', path, { headers })).json()) as T;
    },
    async text(path) {
      return (await raw('GET', path, { headers: { accept: 'text/plain' } })).text();
    },
    async send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown) {
      const response = await raw(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const text = await response.text();
      return { body: (text === '' ? undefined : JSON.parse(text)) as T, headers: response.headers, status: response.status };
    },
  };
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
