#!/usr/bin/env node
// serve.mjs: serves the project folder on localhost, for `make open`.
//
//   node web/serve.mjs [--port N] [--csp]
//
// Prints the page's URL and, when there is a display, opens it. --csp sends
// the strict Content-Security-Policy the page is built to run under.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm' };

/* A static server of the project folder. headers(request) adds headers;
 * pages maps extra paths to HTML text; onReport(report) receives what a
 * browser POSTs to /csp-report (a Content-Security-Policy report-uri). */
export function serve({ port = 0, headers = () => ({}), pages = {}, onReport = null } = {}) {
  const server = createServer(async (request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n');
      return;
    }
    if (request.method === 'POST' && path === '/csp-report' && onReport) {
      let body = '';
      for await (const chunk of request) body += chunk;
      onReport(body);
      response.writeHead(204).end();
      return;
    }
    if (pages[path]) {
      response.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...headers(request) });
      response.end(pages[path]);
      return;
    }
    const file = normalize(join(ROOT, path === '/' ? 'index.html' : path));
    if (!file.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep)) { response.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store', ...headers(request) });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject); /* e.g. EADDRINUSE: the caller tries another port */
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const csp = args.includes('--csp');
  let server;
  for (const port of portArg >= 0 ? [Number(args[portArg + 1])] : [8000, 8001, 8002, 0]) {
    try {
      server = await serve({ port, headers: () => (csp ? { 'content-security-policy': STRICT_CSP } : {}) });
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE') throw e;
    }
  }
  const url = `http://127.0.0.1:${server.address().port}/index.html`;
  console.log(`The visualiser is at ${url}  (Ctrl+C stops the server)`);
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'darwin') {
    const opener = spawn(process.platform === 'darwin' ? 'open' : 'xdg-open', [url], { stdio: 'ignore', detached: true });
    opener.on('error', () => {});
    opener.unref();
  }
}
