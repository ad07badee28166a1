/**
 * The service worker's configuration for workbox-build's generateSW, as a pure function of the
 * built site's folder, so a test can read what is precached and how URLs are matched.
 *
 * Precached: every page, style and script, the web manifest and icons, and the Pagefind index.
 * Not precached: models (src/ml keeps them in its own cache) and onnxruntime's WASM files (cached
 * here on first use), nor the /dev/ test pages.
 *
 * The functions in `runtimeCaching` are copied into the service worker as source text: they must
 * not use anything from this module's scope.
 */
import type { GenerateSWOptions } from 'workbox-build';
import { WIDGET_CACHE } from '../../ui/offline/constants';

/**
 * KaTeX's fonts that the precache holds: the ones the site's math uses (tests/unit/offline/
 * katex-fonts.test.ts fails when a page or card starts to need another). The others are cached
 * the first time a page asks for them, so the precache stays within its 3 MB budget.
 */
export const PRECACHED_KATEX_FONTS = [
  'Main-Regular',
  'Math-Italic',
  'Size1-Regular',
  'Size2-Regular',
  'Size3-Regular',
  'Size4-Regular',
] as const;

/** Every font KaTeX's stylesheet names; those not in PRECACHED_KATEX_FONTS are cached on use. */
export const KATEX_FONTS = [
  ...PRECACHED_KATEX_FONTS,
  'AMS-Regular',
  'Caligraphic-Bold',
  'Caligraphic-Regular',
  'Fraktur-Bold',
  'Fraktur-Regular',
  'Main-Bold',
  'Main-BoldItalic',
  'Main-Italic',
  'Math-BoldItalic',
  'SansSerif-Bold',
  'SansSerif-Italic',
  'SansSerif-Regular',
  'Script-Regular',
  'Typewriter-Regular',
] as const;

/** Which files of the built site are precached (shared with workbox-build's getManifest). */
export const PRECACHE_FILES = {
  globPatterns: ['**/*.{html,css,js,mjs,json,webmanifest,svg,png,ico,woff2}', 'pagefind/**/*'],
  globIgnores: [
    'models/**',
    'ort/**',
    'dev/**',
    '**/*.wasm',
    // onnxruntime-web's JavaScript when Vite bundles it: loaded only by widgets.
    '_astro/ort[.-]*',
    '**/*.onnx',
    'sw.js',
    'workbox-*.js',
    // Loaded only when the reader asks for them (fitting FSRS parameters, exporting to Anki), and
    // useless offline without their WebAssembly, which is not precached either: cached on use.
    '_astro/optimizer.worker-*',
    '_astro/workerHelpers-*',
    '_astro/sql-wasm*',
    // The worker that stores the deck (200 kB: its own copy of Dexie and zod). Without it a page
    // stores the deck itself (src/storage/deck-store.ts), as it does offline before the first
    // copy was fetched: cached on use.
    '_astro/deck-store.worker-*',
    // KaTeX fonts the site's math does not use (see PRECACHED_KATEX_FONTS): cached on use.
    ...KATEX_FONTS.filter(
      (font) => !(PRECACHED_KATEX_FONTS as readonly string[]).includes(font),
    ).map((font) => `_astro/KaTeX_${font}.*`),
    // Pagefind's index for pages without a language: every page here is English.
    'pagefind/wasm.unknown.pagefind',
    // Starlight bundles Pagefind's UI into its own script (_astro/ui-core) and reads only
    // pagefind.js, its WASM and the index from pagefind/: none of Pagefind's standalone UIs is used
    // (tests/e2e/offline.test.ts searches offline).
    'pagefind/pagefind-ui.*',
    'pagefind/pagefind-modular-ui.*',
    'pagefind/pagefind-highlight.js',
    'pagefind/pagefind-component-ui.*',
  ],
  // Hashed file names need no revision of their own.
  dontCacheBustURLsMatching: /\/_astro\//,
};

export function serviceWorkerOptions(distDir: string): GenerateSWOptions {
  return {
    globDirectory: distDir,
    swDest: `${distDir.replace(/\/$/, '')}/sw.js`,
    ...PRECACHE_FILES,
    // Pagefind asks for its entry file with ?ts=<time> to bust caches, and a widget's Retry for its
    // client module with ?retry=<n> (src/widgets/kit/import-again.ts): match the precached copy.
    // The site's own page parameters (/review/?paper=…, /cards/?chapter=…) are read by the page's
    // script, so offline such a link is the precached page, not the 404 page.
    ignoreURLParametersMatching: [
      /^utm_/,
      /^fbclid$/,
      /^(ts|retry)$/,
      /^(chapter|paper|scope|source|state|flag|leech|changed|noted)$/,
    ],
    directoryIndex: 'index.html',
    cleanupOutdatedCaches: true,
    clientsClaim: true,
    // A new version waits until the reader says "reload" (see src/ui/offline/register.ts).
    skipWaiting: false,
    inlineWorkboxRuntime: true,
    sourcemap: false,
    runtimeCaching: [
      {
        // "/chapter" → "/chapter/", which the precache answers from "/chapter/index.html".
        urlPattern: ({ request, url }) =>
          request.mode === 'navigate' &&
          url.origin === self.location.origin &&
          !url.pathname.endsWith('/') &&
          !/\.[a-z0-9]+$/i.test(url.pathname),
        handler: async ({ url }) =>
          Response.redirect(new URL(`${url.pathname}/${url.search}`, url.href).href, 301),
      },
      {
        // Other pages: the network (which answers unknown URLs with the 404 page); offline, the
        // precached 404 page.
        urlPattern: ({ request }) => request.mode === 'navigate',
        handler: 'NetworkOnly',
        // Relative to the service worker, which sits at the site's base.
        options: { precacheFallback: { fallbackURL: '404.html' } },
      },
      {
        // onnxruntime's WASM: cached the first time a widget runs (or from the progress page).
        // Paths are taken from the site's base, where the service worker itself is served.
        urlPattern: ({ url }) => {
          const base = new URL('./', self.location.href);
          if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return false;
          const path = url.pathname.slice(base.pathname.length);
          return (
            path.startsWith('ort/') || /^_astro\/ort[.-][^/]*$/.test(path) || path.endsWith('.wasm')
          );
        },
        handler: 'CacheFirst',
        options: { cacheName: WIDGET_CACHE, cacheableResponse: { statuses: [200] } },
      },
      {
        // Built files left out of the precache (rare KaTeX fonts, the optimizer's and the deck's
        // workers, sql.js's glue): hashed names, so the first copy fetched is kept.
        urlPattern: ({ url }) => {
          const base = new URL('./', self.location.href);
          return url.origin === base.origin && url.pathname.startsWith(`${base.pathname}_astro/`);
        },
        handler: 'CacheFirst',
        options: { cacheName: 'residual-on-demand', cacheableResponse: { statuses: [200] } },
      },
    ],
  };
}
