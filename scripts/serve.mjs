#!/usr/bin/env node
// Serves the built site (dist/) on localhost and prints its URL, gzip-compressing text as a
// production host does, and cross-origin isolated (COOP/COEP headers), so that the widgets' models
// can run on more than one WASM thread. Used by `npm start`.
import { CROSS_ORIGIN_ISOLATION_HEADERS, startStaticServer } from './static-server.mjs';

const port = Number(process.env.PORT ?? 4321);
const server = await startStaticServer({
  root: new URL('../dist/', import.meta.url),
  port,
  compress: true,
  headers: CROSS_ORIGIN_ISOLATION_HEADERS,
});
console.log(`Residual is being served at ${server.url}  (Ctrl+C to stop)`);
