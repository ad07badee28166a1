/**
 * The offline integration: list it AFTER Starlight in astro.config.mjs, so that Starlight's
 * Pagefind index already exists when the service worker's precache list is made.
 *
 * - every page gets one small script: service worker registration, the "update available"
 *   prompt, and chapter progress in the sidebar (src/ui/offline/page.ts), and their styles;
 * - after the build: the list of widget files (models, onnxruntime WASM) with their sizes, then
 *   the service worker (workbox-build generateSW);
 * - in development (astro dev): the same list, made from public/ and the onnxruntime files the
 *   dev server serves, so that experiment cards and the offline panel work there too.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { generateSW } from 'workbox-build';
import {
  MODELS_PREFIX,
  RUNTIME_PREFIX,
  WIDGET_ASSET_LIST,
  type WidgetAssetList,
} from '../../ui/offline/constants';
import { serviceWorkerOptions } from './service-worker';
import { ORT_FILES, ortDist, ortFileBackend } from '../ort-assets.mjs';

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) files.push(...(await filesUnder(path)));
    else files.push(path);
  }
  return files;
}

/**
 * The model folders (a model with its manifest.json, or files that widgets load by name, like the
 * SAEs) and onnxruntime files of the built site.
 */
export async function widgetAssetList(distDir: string): Promise<WidgetAssetList> {
  const models = await modelFolders(join(distDir, MODELS_PREFIX));
  const runtime: WidgetAssetList['runtime'] = [];
  const bundled = (await filesUnder(join(distDir, '_astro'))).filter((path) =>
    /[\\/]_astro[\\/](ort[.-][^\\/]*|[^\\/]*\.wasm)$/.test(path),
  );
  const served = await filesUnder(join(distDir, RUNTIME_PREFIX));
  for (const path of [...served, ...bundled].sort()) {
    const url = `/${relative(distDir, path).split(sep).join('/')}`;
    const backend = ortFileBackend(url.slice(url.lastIndexOf('/') + 1));
    runtime.push({ url, bytes: (await stat(path)).size, ...(backend && { backend }) });
  }
  return assetList(models, runtime);
}

/**
 * The list as `astro dev` serves the files: the model folders of public/, and the onnxruntime
 * files it serves from node_modules at /ort/ (src/site/ort-assets.mjs; the dev server bundles
 * onnxruntime's JavaScript with the page's).
 */
export async function devWidgetAssetList(publicDir: string): Promise<WidgetAssetList> {
  const models = await modelFolders(join(publicDir, MODELS_PREFIX));
  const runtime: WidgetAssetList['runtime'] = [];
  for (const file of ORT_FILES) {
    const backend = ortFileBackend(file);
    const bytes = (await stat(join(ortDist, file))).size;
    runtime.push({ url: `${RUNTIME_PREFIX}${file}`, bytes, ...(backend && { backend }) });
  }
  return assetList(models, runtime);
}

function assetList(
  models: WidgetAssetList['models'],
  runtime: WidgetAssetList['runtime'],
): WidgetAssetList {
  const totalBytes = [...models, ...runtime].reduce((sum, item) => sum + item.bytes, 0);
  return { format: 'residual-widget-assets', models, runtime, totalBytes };
}

/** Each model folder under `modelsDir`, its files with their sizes and sha256. */
async function modelFolders(modelsDir: string): Promise<WidgetAssetList['models']> {
  const models: WidgetAssetList['models'] = [];
  for (const name of (await readdir(modelsDir).catch(() => [] as string[])).sort()) {
    const folder = join(modelsDir, name);
    if (!(await isDirectory(folder))) continue;
    const files: WidgetAssetList['models'][number]['files'] = [];
    for (const path of (await filesUnder(folder)).sort()) {
      const bytes = await readFile(path);
      files.push({
        path: relative(folder, path).split(sep).join('/'),
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    models.push({ name, bytes: files.reduce((sum, file) => sum + file.bytes, 0), files });
  }
  return models;
}

export default function residualOffline(): AstroIntegration {
  let publicDir = '';
  return {
    name: 'residual-offline',
    hooks: {
      'astro:config:setup': ({ config, injectScript }) => {
        publicDir = fileURLToPath(config.publicDir);
        const here = (path: string) =>
          JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
        injectScript('page', `import ${here('../../ui/offline/page.ts')};`);
        // CSS imported in the pages' frontmatter ('page-ssr') lands in every page's stylesheet.
        injectScript(
          'page-ssr',
          `import ${here('../../ui/offline/offline.css')}; import ${here('../../ui/progress/progress.css')};`,
        );
      },
      'astro:server:setup': ({ server }) => {
        // The dev server hands middleware the path without the site's base.
        server.middlewares.use((request, response, next) => {
          const path = new URL(request.url ?? '/', 'http://localhost').pathname;
          if (path !== WIDGET_ASSET_LIST) return next();
          devWidgetAssetList(publicDir).then((list) => {
            response.setHeader('content-type', 'application/json');
            response.end(JSON.stringify(list));
          }, next);
        });
      },
      'astro:build:done': async ({ dir, logger }) => {
        const distDir = fileURLToPath(dir);
        const widgets = await widgetAssetList(distDir);
        await writeFile(join(distDir, WIDGET_ASSET_LIST), JSON.stringify(widgets));
        const { count, size, warnings } = await generateSW(serviceWorkerOptions(distDir));
        for (const warning of warnings) logger.warn(warning);
        logger.info(
          `service worker: ${count} files precached (${(size / 1024).toFixed(0)} KiB); ` +
            `${widgets.models.length} models + ${widgets.runtime.length} runtime files ` +
            `(${(widgets.totalBytes / 1024).toFixed(0)} KiB) cached on use`,
        );
      },
    },
  };
}
