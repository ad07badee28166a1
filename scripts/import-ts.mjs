// Imports the project's TypeScript modules into a Node script: `contents` (export lines with paths
// from the repository root) is bundled by esbuild into node_modules/.cache/residual-scripts/<name>.mjs,
// onnxruntime-web and zod left external, and that file is imported.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} name the bundle's file name, without extension
 * @param {string} contents the module to bundle, e.g. "export * from './src/ml/index.ts';\n"
 */
export async function importTs(name, contents) {
  const out = join(ROOT, 'node_modules/.cache/residual-scripts', `${name}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['onnxruntime-web', 'zod'],
    outfile: out,
    logLevel: 'warning',
  });
  return import(pathToFileURL(out).href);
}
