/**
 * One access line per request, in the Heroku router's format:
 * `at=info method=GET path="/" host=demo.localhost request_id=… fwd="127.0.0.1" dyno=web.1
 * connect=1ms service=3ms status=200 bytes=123 protocol=http`, and for errors
 * `at=error code=H12 desc="Request timeout" method=…`. Empty `dyno=`, `connect=` and
 * `service=` mean no process was reached (as on Heroku).
 */

export interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly requestId: string;
  /** The X-Forwarded-For value sent to the app (the client's chain plus its address). */
  readonly fwd: string;
  readonly dyno?: string;
  readonly connectMs?: number;
  readonly serviceMs?: number;
  readonly status: number;
  readonly bytes: number;
  readonly error?: { readonly code: string; readonly desc: string };
}

/** Backslash-escapes `"` and `\` so a quoted field cannot be closed early. */
export function escapeQuoted(value: string): string {
  return value.includes('"') || value.includes('\\') ? value.replace(/["\\]/g, '\\$&') : value;
}

/** Values logged bare (host, request id, method) must not smuggle in spaces or fields. */
function bare(value: string): string {
  return /^[\x21-\x7e]*$/.test(value) && !value.includes('"') ? value : JSON.stringify(value);
}

function ms(value: number | undefined): string {
  return value === undefined ? '' : `${String(Math.max(0, Math.round(value)))}ms`;
}

export function formatAccessLine(entry: AccessEntry): string {
  const head = entry.error === undefined
    ? 'at=info'
    : `at=error code=${entry.error.code} desc="${escapeQuoted(entry.error.desc)}"`;
  return (
    `${head} method=${bare(entry.method)} path="${escapeQuoted(entry.path)}" host=${bare(entry.host)}` +
    ` request_id=${bare(entry.requestId)} fwd="${escapeQuoted(entry.fwd)}" dyno=${entry.dyno ?? ''}` +
    ` connect=${ms(entry.connectMs)} service=${ms(entry.serviceMs)} status=${String(entry.status)}` +
    ` bytes=${String(entry.bytes)} protocol=http`
  );
}
