// @ts-check
/**
 * Astro integration: serves onnxruntime-web's WebAssembly files from our own origin (never a
 * CDN), at /ort/, where src/ml/runtime.ts points `env.wasm.wasmPaths`.
 *
 * - build: copies the files into dist/ort/;
 * - dev: serves them from node_modules at /ort/;
 * - resolves `onnxruntime-web` and `onnxruntime-web/wasm` to their non-bundled ESM builds, whose
 *   .mjs/.wasm are loaded from wasmPaths at run time. The default ("bundle") builds would make
 *   Vite emit second copies of the .wasm files into _astro/.
 *
 * Two builds: the WASM-only one, which src/ml/runtime.ts loads for the 'wasm' backend (14 MB of
 * WebAssembly), and the JSEP one for 'webgpu' (28 MB). A browser fetches only the one it runs.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files each ORT build loads at run time, by the backend src/ml loads that build for. */
export const ORT_BUILD_FILES = {
  wasm: ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'],
  webgpu: ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'],
};

export const ORT_FILES = [...ORT_BUILD_FILES.wasm, ...ORT_BUILD_FILES.webgpu];

/**
 * The backend that needs an onnxruntime file of the built site: one of ORT_FILES, or the JS of
 * one build as Vite emits it (`_astro/ort.min.<hash>.js` for JSEP, `_astro/ort.wasm.min.<hash>.js`
 * for WASM). Null for a file every backend needs or that is not ORT's.
 *
 * @param {string} fileName the file's name, without its folder
 * @returns {'wasm' | 'webgpu' | null}
 */
export function ortFileBackend(fileName) {
  for (const [backend, files] of Object.entries(ORT_BUILD_FILES)) {
    if (files.includes(fileName)) return /** @type {'wasm' | 'webgpu'} */ (backend);
  }
  if (/^ort\.wasm\.min\.[^.]+\.js$/.test(fileName)) return 'wasm';
  if (/^ort\.min\.[^.]+\.js$/.test(fileName)) return 'webgpu';
  return null;
}

/** The folder of onnxruntime-web's files in node_modules. */
export const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

/**
 * @param {{ path?: string }} [options] URL folder for the files (default 'ort'); keep it in step
 *   with `configureRuntime({ wasmPaths })` if changed.
 * @returns {import('astro').AstroIntegration}
 */
export function ortAssets(options = {}) {
  const folder = (options.path ?? 'ort').replace(/^\/|\/$/g, '');
  return {
    name: 'residual:ort-assets',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            resolve: {
              alias: [
                { find: /^onnxruntime-web$/, replacement: join(ortDist, 'ort.min.mjs') },
                { find: /^onnxruntime-web\/wasm$/, replacement: join(ortDist, 'ort.wasm.min.mjs') },
              ],
            },
          },
        });
      },
      'astro:server:setup': ({ server }) => {
        server.middlewares.use((request, response, next) => {
          const path = new URL(request.url ?? '/', 'http://localhost').pathname;
          const file = path.startsWith(`/${folder}/`) ? path.slice(folder.length + 2) : null;
          if (file === null || !ORT_FILES.includes(file)) return next();
          response.setHeader(
            'content-type',
            file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
          );
          createReadStream(join(ortDist, file)).pipe(response);
        });
      },
      'astro:build:done': async ({ dir, logger }) => {
        const out = join(fileURLToPath(dir), folder);
        await mkdir(out, { recursive: true });
        await Promise.all(ORT_FILES.map((f) => copyFile(join(ortDist, f), join(out, f))));
        logger.info(`copied ${ORT_FILES.length} onnxruntime-web files to /${folder}/`);
      },
    },
  };
}
