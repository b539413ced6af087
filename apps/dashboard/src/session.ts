/** The API token lives in sessionStorage: gone when the tab closes, never sent as a cookie. */
const TOKEN_KEY = 'paas.token';
const ACCOUNT_KEY = 'paas.account';

export interface Session {
  readonly token: string;
  readonly account: string;
}

export function loadSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const account = sessionStorage.getItem(ACCOUNT_KEY);
  return token && account !== null ? { token, account } : undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(ACCOUNT_KEY, session.account);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ACCOUNT_KEY);
}
