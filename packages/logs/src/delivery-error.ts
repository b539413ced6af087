/** Codes node's net, tls and dns layers use, in the words a user reads in their log stream. */
const CONNECTION_PROBLEMS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection while lines were being sent',
  ENOTFOUND: 'could not be resolved',
  EAI_AGAIN: 'could not be resolved',
  ETIMEDOUT: 'did not answer in time',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
  EFORBIDDEN: 'is not allowed',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * What went wrong with a connection, without the error's message beyond its code: messages
 * of node errors are safe today, but the code is what the user can act on.
 */
export function describeConnectionError(error: unknown): string {
  const code = codeOf(error);
  if (code === undefined) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const problem = CONNECTION_PROBLEMS[code];
  if (problem !== undefined) return `${problem}: ${code}`;
  if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code)) return `failed the TLS handshake: ${code}`;
  return `failed: ${code}`;
}

/** `Error L13 (drain delivery error): syslog://logs.example.com:514 refused the connection: ECONNREFUSED; retrying`. */
export function deliveryErrorLine(shownUrl: string, what: string): string {
  return `Error L13 (drain delivery error): ${shownUrl} ${what}`;
}
