import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FsrsBrowser } from '../../../src/srs/optimizer';

/**
 * fsrs-browser in Node, single-threaded as the page's worker runs it. Importing it evaluates its
 * thread-pool helper, which listens on the worker global `self`; Node has none and the pool is
 * never started, so a stand-in that ignores listeners is enough.
 */
export async function loadFsrsBrowser(): Promise<FsrsBrowser> {
  const scope = globalThis as { self?: unknown };
  scope.self ??= { addEventListener() {}, removeEventListener() {} };
  const library = await import('fsrs-browser');
  const wasm = createRequire(import.meta.url).resolve('fsrs-browser/fsrs_browser_bg.wasm');
  library.initSync({ module: readFileSync(wasm) });
  return library;
}
