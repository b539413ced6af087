import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The dashboard loads only its own scripts and stylesheet, talks only to this origin, and is never framed. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** What every other answer (the API, git) carries: nothing here is meant to be framed or sniffed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** apps/dashboard, from apps/paasd/dist/src/routes/. */
const DEFAULT_ROOT = fileURLToPath(new URL('../../../../dashboard/', import.meta.url));

/** Compiled modules: `main.js`, `pages/logs.js`. No dots or slashes beyond these, so no way out of the directory. */
const SCRIPT = /^(?:[a-z0-9-]+\/)?[a-z0-9-]+\.js$/;

const TYPES = { html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' } as const;

export interface DashboardOptions {
  /** The apps/dashboard directory (its `static/` and compiled `dist/src/`). */
  readonly root?: string;
}

const notFound = (reply: FastifyReply): FastifyReply => {
  reply.callNotFound();
  return reply;
};

/**
 * The charting library the Metrics page draws with (uPlot, MIT), served from the dashboard's
 * own dependency as it was installed: nothing is fetched from elsewhere.
 */
const VENDOR: Readonly<Record<string, { module: string; type: string }>> = {
  '/assets/vendor/uplot.js': { module: 'uplot/dist/uPlot.esm.js', type: TYPES.js },
  '/assets/vendor/uplot.css': { module: 'uplot/dist/uPlot.min.css', type: TYPES.css },
};

function vendorFile(root: string, path: string): { file: string; type: string } | undefined {
  const entry = VENDOR[path];
  if (!entry) return undefined;
  try {
    return { file: createRequire(join(root, 'package.json')).resolve(entry.module), type: entry.type };
  } catch {
    return undefined; // not installed: a 404, as for any missing asset
  }
}

/** Where a request path's file lives, or undefined: a whitelist, not a path join of user input. */
export function dashboardFile(root: string, path: string): { file: string; type: string } | undefined {
  if (path === '/' || path === '/index.html') return { file: join(root, 'static', 'index.html'), type: TYPES.html };
  if (path === '/assets/style.css') return { file: join(root, 'static', 'style.css'), type: TYPES.css };
  if (path.startsWith('/assets/vendor/')) return vendorFile(root, path);
  const script = path.startsWith('/assets/') ? path.slice('/assets/'.length) : '';
  if (SCRIPT.test(script)) return { file: join(root, 'dist', 'src', ...script.split('/')), type: TYPES.js };
  return undefined;
}

/**
 * Serves the web dashboard at `/` and `/assets/*`, outside the API's authentication: the
 * page is public and signs in with an API token itself. Also sets framing and sniffing
 * headers on every other answer of the server.
 */
export function registerDashboardRoutes(app: FastifyInstance, { root = DEFAULT_ROOT }: DashboardOptions = {}): void {
  // Gzipped bodies by content hash: files are read on each request, so a rebuilt dashboard shows at once.
  const gzipCache = new Map<string, Buffer>();

  const serve = async (request: FastifyRequest, reply: FastifyReply, path: string): Promise<FastifyReply> => {
    const found = dashboardFile(root, path);
    if (!found) return notFound(reply);
    let body: Buffer;
    try {
      body = await readFile(found.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return notFound(reply);
      throw error;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    void reply
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cache-control', 'no-cache')
      .header('etag', etag)
      .header('vary', 'accept-encoding')
      .type(found.type);
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      let gzipped = gzipCache.get(etag);
      if (!gzipped) {
        gzipped = gzipSync(body, { level: 9 });
        if (gzipCache.size > 200) gzipCache.clear();
        gzipCache.set(etag, gzipped);
      }
      return reply.header('content-encoding', 'gzip').send(gzipped);
    }
    return reply.send(body);
  };

  app.get('/', async (request, reply) => serve(request, reply, '/'));
  app.get('/index.html', async (request, reply) => serve(request, reply, '/'));
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => serve(request, reply, `/assets/${request.params['*']}`));

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', API_CSP);
    if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
