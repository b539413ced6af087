import type { Send, Transport } from './transport.js';

/** What each group of client methods is made from: the transport and a plain GET. */
export interface Calls {
  readonly send: Send;
  readonly get: <T>(path: string) => Promise<T>;
  readonly transport: Transport;
}

export const appPath = (app: string): string => `/apps/${encodeURIComponent(app)}`;
export const addonPath = (addon: string): string => `/addons/${encodeURIComponent(addon)}`;
export const pipelinePath = (pipeline: string): string => `/pipelines/${encodeURIComponent(pipeline)}`;
