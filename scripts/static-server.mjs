// A small static file server for the built site: the same rules a static host applies.
// `/chapter` and `/chapter/` both serve `chapter/index.html`; unknown paths get 404.html with status 404.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

/** Types a static host sends gzip-compressed to a browser that accepts it. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.webmanifest',
  '.svg',
  '.xml',
  '.txt',
]);

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Finds the file a URL path names, or null. Never leaves the root. */
async function resolveFile(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const candidate = normalize(join(root, decoded));
  if (candidate !== root.replace(/[\\/]$/, '') && !candidate.startsWith(root)) return null;
  for (const path of [candidate, join(candidate, 'index.html'), `${candidate}.html`]) {
    if (await isFile(path)) return path;
  }
  return null;
}

/**
 * Headers that make the site cross-origin isolated (crossOriginIsolated in the page), which lets
 * onnxruntime-web run WASM on several threads (SharedArrayBuffer). require-corp blocks
 * cross-origin subresources that do not opt in; the site loads none.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Starts serving `root` on 127.0.0.1. Resolves to { url, port, close() } once listening.
 * With `compress`, text files go out gzip-compressed to clients that accept it, as a production
 * host sends them (the browser tests leave it off: they check bytes and progress as stored).
 * @param {{ root: URL | string, port?: number, headers?: Record<string,string>, compress?: boolean }} options
 */
export async function startStaticServer({ root, port = 0, headers = {}, compress = false }) {
  const rootPath = (root instanceof URL ? fileURLToPath(root) : root).replace(/[\\/]?$/, sep);
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = await resolveFile(rootPath, url.pathname);
    const status = file ? 200 : 404;
    const path = file ?? join(rootPath, '404.html');
    try {
      let body = await readFile(path);
      const gzip =
        compress &&
        COMPRESSIBLE.has(extname(path)) &&
        /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      if (gzip) body = gzipSync(body);
      response.writeHead(status, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        ...(compress && { vary: 'accept-encoding' }),
        ...(gzip && { 'content-encoding': 'gzip' }),
        ...headers,
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
