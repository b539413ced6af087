#!/usr/bin/env node
// The static buildpack's file server: GET and HEAD for the files under one directory,
// index.html for directories, no dotfiles, bound to $PORT. No dependencies.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const root = path.resolve(process.argv[2] || '.');
const port = Number(process.env.PORT || 5000);
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff': 'font/woff',
  '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.xml': 'application/xml', '.pdf': 'application/pdf',
  '.map': 'application/json', '.webmanifest': 'application/manifest+json',
};

function send(response, status, text, headers) {
  response.writeHead(status, Object.assign({ 'content-type': 'text/plain; charset=utf-8' }, headers || {}));
  response.end(text);
}

function serveFile(request, response, file, status) {
  fs.stat(file, (error, stat) => {
    if (error || !stat.isFile()) return send(response, 404, 'Not Found\n');
    response.writeHead(status, {
      'content-type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'content-length': stat.size,
      'last-modified': stat.mtime.toUTCString(),
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') return response.end();
    fs.createReadStream(file).on('error', () => response.destroy()).pipe(response);
  });
}

const server = http.createServer((request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  } catch (error) {
    return send(response, 400, 'Bad Request\n');
  }
  const parts = pathname.split('/').filter(Boolean);
  // No dotfiles (.heroku, .profile.d, .env) and no way up.
  if (pathname.includes('\0') || parts.some((part) => part.startsWith('.') || part.includes('\\'))) return send(response, 404, 'Not Found\n');
  const file = path.join(root, ...parts);
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) {
      if (!pathname.endsWith('/')) return send(response, 301, '', { location: `${pathname}/` });
      return serveFile(request, response, path.join(file, 'index.html'), 200);
    }
    if (error) {
      const notFound = path.join(root, '404.html');
      return fs.access(notFound, (missing) => (missing ? send(response, 404, 'Not Found\n') : serveFile(request, response, notFound, 404)));
    }
    return serveFile(request, response, file, 200);
  });
});

server.listen(port, () => console.log(`static: serving ${root} on port ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
