/** A small client for paasd's HTTP API (global fetch, keep-alive). */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export interface Api {
  readonly url: string;
  readonly token: string;
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Like `request`, but throws unless the status is 2xx. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export function createApi(url: string, token: string): Api {
  const request = async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (build output, logs): the text is the body.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    url,
    token,
    request,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await request(method, path, body);
      if (response.status < 200 || response.status > 299) {
        throw new Error(`${method} ${path} answered ${String(response.status)}: ${JSON.stringify(response.body)}`);
      }
      return response.body as T;
    },
  };
}
