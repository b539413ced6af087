/**
 * Writes the router's own pages (errors, 404, 400): on a response, or on a socket that
 * left the HTTP server for an upgrade.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import { renderPage, type RouterPage } from './router-errors.js';

/** Writes a router page (error, 404, 400) as the whole response. */
export function sendPage(res: ServerResponse, page: RouterPage, accept: string | undefined, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { body, contentType } = renderPage(page, accept);
  const headers = [
    'Content-Type', contentType,
    'Content-Length', String(Buffer.byteLength(body)),
    'Cache-Control', 'no-store',
    'X-Request-Id', requestId,
  ];
  if (page.retryAfter !== undefined) headers.push('Retry-After', String(page.retryAfter));
  res.writeHead(page.status, headers);
  res.end(body);
}

/**
 * A router page as a whole raw HTTP/1.1 response. `close` adds `Connection: close`; `date`
 * adds a `Date` header (node's server adds its own to pages it writes).
 */
export function rawPageText(page: RouterPage, accept: string | undefined, requestId: string, options: { close: boolean; date?: string }): string {
  const { body, contentType } = renderPage(page, accept);
  return (
    `HTTP/1.1 ${String(page.status)} ${STATUS_CODES[page.status] ?? 'Error'}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\n` +
    `Cache-Control: no-store\r\nX-Request-Id: ${requestId}\r\n` +
    (page.retryAfter === undefined ? '' : `Retry-After: ${String(page.retryAfter)}\r\n`) +
    (options.date === undefined ? '' : `Date: ${options.date}\r\n`) +
    (options.close ? 'Connection: close\r\n' : '') +
    `\r\n${body}`
  );
}

/** Writes a router page on a socket that left the HTTP server, then closes it. */
export function writeRawPage(socket: Duplex, page: RouterPage, accept: string | undefined, requestId: string): number {
  const text = rawPageText(page, accept, requestId, { close: true });
  if (socket.writable) socket.end(text);
  else socket.destroy();
  return Buffer.byteLength(text);
}
