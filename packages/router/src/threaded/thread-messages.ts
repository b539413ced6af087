/**
 * What paasd's main thread and the router's thread say to each other. Everything here
 * crosses `postMessage`, so it is plain data: the route table's Maps and objects clone as
 * they are; errors are flattened to their fields first.
 */
import type { AccessEntry } from '../access-line.js';
import type { RouteTable, TlsCertificate } from '../route-table.js';

/** Given to the thread at its start (`workerData`). */
export interface ThreadInit {
  readonly domain: string;
  readonly certificate: TlsCertificate;
  readonly publicTlsPort: number;
  readonly connectTimeoutMs?: number;
  readonly firstByteTimeoutMs?: number;
  readonly bootTimeoutMs?: number;
}

export type ToThread =
  | { readonly type: 'listen'; readonly id: number; readonly host: string; readonly port: number; readonly tlsPort: number }
  | { readonly type: 'update'; readonly seq: number; readonly table: RouteTable }
  | { readonly type: 'drain'; readonly id: number; readonly backend: string; readonly timeoutMs: number }
  | { readonly type: 'certificate'; readonly certificate: TlsCertificate }
  | { readonly type: 'close'; readonly id: number };

/** One request's access line: the app, the line as formatted, its fields. */
export type AccessRecord = readonly [app: string, line: string, entry: AccessEntry];

export type FromThread =
  | { readonly type: 'access'; readonly records: readonly AccessRecord[] }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly fields: Record<string, unknown>; readonly message: string }
  | { readonly type: 'applied'; readonly seq: number }
  | { readonly type: 'done'; readonly id: number; readonly ports?: { readonly port: number; readonly tlsPort: number } }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly code?: string };

/** Log fields that clone: an Error becomes its name, message, code and stack. */
export function cloneableFields(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, code: (value as NodeJS.ErrnoException).code, stack: value.stack } : value;
  }
  return out;
}
