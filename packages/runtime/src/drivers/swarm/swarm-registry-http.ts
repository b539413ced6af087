import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Where the registry is, the password it asks for, and the CA its certificate is from. */
export interface RegistryAccess {
  /** `host:port`, the manager's swarm address. */
  readonly address: string;
  readonly password?: string | undefined;
  /**
   * The CA (PEM) that signed the registry's certificate: with it the registry speaks TLS only
   * and paasd trusts that CA alone for it; without it, plain HTTP (a registry made without TLS).
   */
  readonly ca?: string | undefined;
}

/** The one user of the registry: paasd pushes and every node pulls as it. */
export const REGISTRY_USER = 'paas';

export function authHeaders(access: RegistryAccess): Record<string, string> {
  return access.password === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${REGISTRY_USER}:${access.password}`).toString('base64')}` };
}

export interface RegistryAnswer {
  readonly status: number;
  header(name: string): string | undefined;
}

/**
 * One request to the registry's API from paasd (its body, if any, is not read): over TLS
 * checked against the registry's CA when the access has one, else plain HTTP. Undefined when
 * it does not answer in time or the connection fails (a TLS handshake it refuses included).
 */
export function registryRequest(access: RegistryAccess, method: string, path: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<RegistryAnswer | undefined> {
  const tls = access.ca !== undefined;
  const url = `${tls ? 'https' : 'http'}://${access.address}${path}`;
  return new Promise((resolve) => {
    const options = { method, headers: { ...authHeaders(access), ...headers }, timeout: timeoutMs, ...(tls ? { ca: access.ca, agent: false as const } : { agent: false as const }) };
    const sent = (tls ? httpsRequest : httpRequest)(url, options, (response) => {
      response.resume(); // the body is not needed; reading it frees the socket
      resolve({
        status: response.statusCode ?? 0,
        header: (name) => {
          const value = response.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
      });
    });
    sent.on('timeout', () => sent.destroy(new Error('timed out')));
    sent.on('error', () => resolve(undefined));
    sent.end();
  });
}
