// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import mdx from '@astrojs/mdx';
// Math in chapters ($…$ and $$…$$), rendered to HTML at build time: no KaTeX JavaScript on pages.
import { satteri } from '@astrojs/markdown-satteri';
import { katexMarkdownPlugin } from './src/content/math-markdown.ts';
import order from './content/order.json' with { type: 'json' };
// Offline (PWA): service worker, update prompt, sidebar progress. See src/site/offline/integration.ts.
import residualOffline from './src/site/offline/integration.ts';
// onnxruntime-web's wasm served from our own origin at /ort/ (never a CDN). See src/site/ort-assets.mjs.
import { ortAssets } from './src/site/ort-assets.mjs';
import { fileURLToPath } from 'node:url';

// Where the site is published (README, "Deploy"): its URL and the path under it.
const site = process.env.RESIDUAL_SITE ?? 'http://127.0.0.1:4321';
const base = (process.env.RESIDUAL_BASE ?? '/').replace(/\/?$/, '/');

const chapterLinks = order.chapters
  .filter((chapter) => chapter.slug !== 'start')
  .map((chapter) => ({ label: chapter.title, link: `/${chapter.slug}/` }));

export default defineConfig({
  // The malformed-record test builds from a fixture folder: keep its content store apart.
  cacheDir: process.env.RESIDUAL_PAPERS_DIR
    ? './node_modules/.astro-fixture'
    : './node_modules/.astro',
  site,
  base,
  // A build for another base goes to its own folder (RESIDUAL_OUT_DIR), leaving dist/ alone.
  outDir: process.env.RESIDUAL_OUT_DIR ?? './dist',
  trailingSlash: 'ignore',
  vite: {
    resolve: {
      // Starlight's search builds Pagefind's UI when the reader goes to search, not while every
      // page loads, and not from an idle callback (src/ui/overrides/deferred-pagefind-ui.ts).
      alias: [
        {
          find: /^@pagefind\/default-ui$/,
          replacement: fileURLToPath(
            new URL('./src/ui/overrides/deferred-pagefind-ui.ts', import.meta.url),
          ),
        },
      ],
    },
  },
  markdown: {
    processor: satteri({ features: { math: true }, mdastPlugins: [katexMarkdownPlugin] }),
  },
  integrations: [
    starlight({
      title: 'Residual',
      description:
        'Read, run, remember: an annotated mechanistic-interpretability reading list that works offline.',
      disable404Route: false,
      lastUpdated: false,
      pagination: true,
      tableOfContents: { minHeadingLevel: 2, maxHeadingLevel: 3 },
      sidebar: [
        { label: 'Start here', link: '/' },
        { label: 'Reading list', items: chapterLinks },
        {
          label: 'Practice',
          items: [
            { label: 'Review cards', link: '/review/' },
            { label: 'Reading progress', link: '/progress/' },
            { label: 'Statistics', link: '/stats/' },
            { label: 'Card browser', link: '/cards/' },
          ],
        },
        { label: 'Glossary', link: '/glossary/' },
      ],
      components: {
        MarkdownContent: './src/ui/chapter/ChapterContent.astro',
        Search: './src/ui/overrides/Search.astro',
      },
      routeMiddleware: './src/ui/chapter/route-middleware.ts',
      // KaTeX's stylesheet (its fonts are bundled from node_modules and served from our origin).
      customCss: ['katex/dist/katex.min.css', './src/ui/residual.css'],
      // Installable app: web manifest and icons (public/manifest.webmanifest, public/icons/).
      head: [
        { tag: 'link', attrs: { rel: 'manifest', href: `${base}manifest.webmanifest` } },
        { tag: 'meta', attrs: { name: 'theme-color', content: '#171b38' } },
        {
          tag: 'link',
          attrs: { rel: 'apple-touch-icon', href: `${base}icons/apple-touch-icon.png` },
        },
      ],
    }),
    mdx(),
    // Before residualOffline: it lists dist/ort/ to size the "make widgets available offline" download.
    ortAssets(),
    // Must come after Starlight: the service worker precaches the Pagefind index it writes.
    residualOffline(),
  ],
});
