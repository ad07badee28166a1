import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest } from 'workbox-build';
import { WIDGET_CACHE } from '../../../src/ui/offline/constants';
import { devWidgetAssetList, widgetAssetList } from '../../../src/site/offline/integration';
import { ortDist } from '../../../src/site/ort-assets.mjs';
import { PRECACHE_FILES, serviceWorkerOptions } from '../../../src/site/offline/service-worker';
import { runtimeFilesFor } from '../../../src/ui/offline/widget-download';

// A small built site with one file of each kind the service worker must include or leave out.
const FILES: Record<string, number> = {
  'index.html': 100,
  'superposition/index.html': 200,
  '404.html': 50,
  '_astro/page.abc123.js': 300,
  '_astro/common.abc123.css': 400,
  '_astro/ort.min.abc123.js': 5000,
  '_astro/ort.wasm.min.def456.js': 4000,
  '_astro/ort-wasm-simd-threaded.jsep.abc123.wasm': 9000,
  'pagefind/pagefind-entry.json': 10,
  'pagefind/pagefind.js': 20,
  'pagefind/pagefind-ui.js': 20,
  'pagefind/wasm.en.pagefind': 30,
  'pagefind/index/en_1.pf_index': 40,
  'pagefind/fragment/en_1.pf_fragment': 50,
  'pagefind/pagefind-modular-ui.js': 60,
  'manifest.webmanifest': 70,
  'icons/icon-192.png': 80,
  'models/tiny-lm/manifest.json': 90,
  'models/tiny-lm/model.onnx': 7000,
  'ort/ort-wasm-simd-threaded.jsep.mjs': 600,
  'ort/ort-wasm-simd-threaded.jsep.wasm': 8000,
  'ort/ort-wasm-simd-threaded.mjs': 500,
  'ort/ort-wasm-simd-threaded.wasm': 6000,
  'dev/ml-check/index.html': 110,
};

let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'residual-sw-'));
  for (const [path, bytes] of Object.entries(FILES)) {
    await mkdir(dirname(join(dist, path)), { recursive: true });
    await writeFile(join(dist, path), 'x'.repeat(bytes));
  }
});

afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

const sha256Of = (text: string) => createHash('sha256').update(text).digest('hex');

async function precached(): Promise<string[]> {
  const { manifestEntries } = await getManifest({ globDirectory: dist, ...PRECACHE_FILES });
  return (manifestEntries ?? []).map((entry) => entry.url).sort();
}

describe('the service worker precache', () => {
  it('holds every page, style, script, the web manifest, icons and the Pagefind index', async () => {
    expect(await precached()).toEqual(
      expect.arrayContaining([
        'index.html',
        'superposition/index.html',
        '404.html',
        '_astro/page.abc123.js',
        '_astro/common.abc123.css',
        'pagefind/pagefind-entry.json',
        'pagefind/pagefind.js',
        'pagefind/wasm.en.pagefind',
        'pagefind/index/en_1.pf_index',
        'pagefind/fragment/en_1.pf_fragment',
        'manifest.webmanifest',
        'icons/icon-192.png',
      ]),
    );
  });

  it('leaves out models, onnxruntime, the test pages and search UI variants the site does not use', async () => {
    const urls = await precached();
    for (const left of [
      'models/',
      'ort/',
      '_astro/ort',
      '.wasm',
      'dev/',
      'pagefind/pagefind-ui',
      'pagefind/pagefind-modular-ui',
    ]) {
      expect(urls.filter((url) => url.includes(left))).toEqual([]);
    }
  });

  it("matches Pagefind's cache-busting ?ts= to the precached file", () => {
    const { ignoreURLParametersMatching = [] } = serviceWorkerOptions(dist);
    expect(ignoreURLParametersMatching.some((pattern) => pattern.test('ts'))).toBe(true);
    expect(ignoreURLParametersMatching.some((pattern) => pattern.test('page'))).toBe(false);
  });

  it('answers /review/?paper=… and /cards/?chapter=… offline with the precached page (its script reads them)', () => {
    const { ignoreURLParametersMatching = [] } = serviceWorkerOptions(dist);
    for (const name of ['paper', 'chapter', 'scope', 'source', 'state', 'flag'])
      expect(
        ignoreURLParametersMatching.some((pattern) => pattern.test(name)),
        name,
      ).toBe(true);
    expect(ignoreURLParametersMatching.some((pattern) => pattern.test('papers'))).toBe(false);
  });

  it.each(['/', '/residual/'])(
    "caches onnxruntime's files under the base %s, and nothing from model folders (src/ml caches those)",
    (base) => {
      const routes = serviceWorkerOptions(dist).runtimeCaching ?? [];
      const runtime = routes.find((route) => route.options?.cacheName === WIDGET_CACHE);
      const matches = runtime?.urlPattern as (context: { url: URL }) => boolean;
      // The route runs in the service worker, served from the site's base.
      const origin = 'https://reader.test';
      const worker = globalThis as unknown as { self?: unknown };
      worker.self = { location: { href: `${origin}${base}sw.js` } };
      try {
        const at = (path: string) => matches({ url: new URL(`${origin}${base}${path}`) });
        expect(at('ort/ort-wasm-simd-threaded.wasm')).toBe(true);
        expect(at('_astro/ort.min.abc123.js')).toBe(true);
        expect(at('models/tiny-lm/weights.bin')).toBe(false);
        expect(at('superposition/')).toBe(false);
        expect(matches({ url: new URL(`https://elsewhere.test${base}ort/x.mjs`) })).toBe(false);
      } finally {
        delete worker.self;
      }
    },
  );

  it('waits for the reader before a new version takes over', () => {
    expect(serviceWorkerOptions(dist).skipWaiting).toBe(false);
  });
});

describe('the list behind "make widgets available offline"', () => {
  it('names each model with its size and every onnxruntime file, with the build that needs it, and the total', async () => {
    const list = await widgetAssetList(dist);
    expect(list.models).toEqual([
      {
        name: 'tiny-lm',
        bytes: 7090,
        files: [
          { path: 'manifest.json', bytes: 90, sha256: sha256Of('x'.repeat(90)) },
          { path: 'model.onnx', bytes: 7000, sha256: sha256Of('x'.repeat(7000)) },
        ],
      },
    ]);
    expect(list.runtime).toEqual([
      { url: '/_astro/ort-wasm-simd-threaded.jsep.abc123.wasm', bytes: 9000 },
      { url: '/_astro/ort.min.abc123.js', bytes: 5000, backend: 'webgpu' },
      { url: '/_astro/ort.wasm.min.def456.js', bytes: 4000, backend: 'wasm' },
      { url: '/ort/ort-wasm-simd-threaded.jsep.mjs', bytes: 600, backend: 'webgpu' },
      { url: '/ort/ort-wasm-simd-threaded.jsep.wasm', bytes: 8000, backend: 'webgpu' },
      { url: '/ort/ort-wasm-simd-threaded.mjs', bytes: 500, backend: 'wasm' },
      { url: '/ort/ort-wasm-simd-threaded.wasm', bytes: 6000, backend: 'wasm' },
    ]);
    expect(list.totalBytes).toBe(7090 + 9000 + 5000 + 4000 + 600 + 8000 + 500 + 6000);
  });

  it('downloads only the onnxruntime build of the backend the widgets will run on', async () => {
    const { runtime } = await widgetAssetList(dist);
    const urls = (backend: 'wasm' | 'webgpu') =>
      runtimeFilesFor(runtime, backend).map((file) => file.url);
    expect(urls('wasm')).toEqual([
      '/_astro/ort-wasm-simd-threaded.jsep.abc123.wasm',
      '/_astro/ort.wasm.min.def456.js',
      '/ort/ort-wasm-simd-threaded.mjs',
      '/ort/ort-wasm-simd-threaded.wasm',
    ]);
    expect(urls('webgpu')).toEqual([
      '/_astro/ort-wasm-simd-threaded.jsep.abc123.wasm',
      '/_astro/ort.min.abc123.js',
      '/ort/ort-wasm-simd-threaded.jsep.mjs',
      '/ort/ort-wasm-simd-threaded.jsep.wasm',
    ]);
  });

  it('is served by astro dev too: the model folders of public/ and the onnxruntime files it serves at /ort/', async () => {
    const list = await devWidgetAssetList(dist);
    expect(list.models).toEqual((await widgetAssetList(dist)).models);
    const size = async (file: string) => (await stat(join(ortDist, file))).size;
    expect(list.runtime).toEqual([
      {
        url: '/ort/ort-wasm-simd-threaded.mjs',
        bytes: await size('ort-wasm-simd-threaded.mjs'),
        backend: 'wasm',
      },
      {
        url: '/ort/ort-wasm-simd-threaded.wasm',
        bytes: await size('ort-wasm-simd-threaded.wasm'),
        backend: 'wasm',
      },
      {
        url: '/ort/ort-wasm-simd-threaded.jsep.mjs',
        bytes: await size('ort-wasm-simd-threaded.jsep.mjs'),
        backend: 'webgpu',
      },
      {
        url: '/ort/ort-wasm-simd-threaded.jsep.wasm',
        bytes: await size('ort-wasm-simd-threaded.jsep.wasm'),
        backend: 'webgpu',
      },
    ]);
    expect(list.totalBytes).toBe(
      [...list.models, ...list.runtime].reduce((sum, item) => sum + item.bytes, 0),
    );
  });
});
