/** What every page is given, and how it reports. */
import type { Api } from './api.js';
import { errorMessage } from './api.js';

export interface PageContext {
  readonly api: Api;
  /** Aborts when the user leaves the page: pollers and sockets stop with it. */
  readonly signal: AbortSignal;
  /** Shows a page-wide error (role=alert), or clears it with undefined. */
  readonly alert: (error: unknown) => void;
  readonly navigate: (href: string) => void;
}

export interface AppPageContext extends PageContext {
  readonly app: string;
}

export const describeError = errorMessage;
