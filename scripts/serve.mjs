#!/usr/bin/env node
// Serves the built site (dist/) on localhost and prints its URL, gzip-compressing text as a
// production host does. Used by `npm start`.
import { startStaticServer } from './static-server.mjs';

const port = Number(process.env.PORT ?? 4321);
const server = await startStaticServer({
  root: new URL('../dist/', import.meta.url),
  port,
  compress: true,
});
console.log(`Residual is being served at ${server.url}  (Ctrl+C to stop)`);
