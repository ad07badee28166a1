/**
 * Importing a widget's client module again after its import failed (Retry). Some browsers keep a
 * failed dynamic import for the life of the page: Chromium 150 answers every later import of that
 * address with the same failure, so Retry could never succeed. Where the browser's message names
 * the module's address (Chromium's and Firefox's do), the next attempt asks for it at a new one.
 */

/** The address of the module whose dynamic import failed, as `error`'s message gives it. */
export function failedModuleUrl(error: unknown): string | null {
  const message = error instanceof Error ? error.message : '';
  if (!/dynamically imported module/i.test(message)) return null;
  const match = /(https?:\/\/[^\s?#'"]+\.m?js)/.exec(message);
  return match ? match[1]! : null;
}

/** `url` with a parameter that makes it a new address for the module map (the service worker
 * ignores it, so a precached copy still answers). */
export function retryAddress(url: string, attempt: number): string {
  const address = new URL(url);
  address.searchParams.set('retry', String(attempt));
  return address.href;
}

/** Imports the module at `url` under a new address (see retryAddress). */
export function importAgain<T>(url: string, attempt: number): Promise<T> {
  return import(/* @vite-ignore */ retryAddress(url, attempt)) as Promise<T>;
}
