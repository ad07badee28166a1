// @ts-check
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import { layersRule } from './scripts/lint/layers.mjs';

const onlyMl = {
  group: ['onnxruntime-web', 'onnxruntime-web/*'],
  message: 'Only src/ml imports onnxruntime-web; use its hook API.',
};
const onlyScheduler = {
  group: ['ts-fsrs'],
  message: 'Only src/srs/scheduler.ts imports ts-fsrs.',
};

/**
 * @param {string[]} files
 * @param {string[]} ignores
 * @param {{ group: string[], message: string }[]} patterns
 * @returns {import('eslint').Linter.Config}
 */
function restrictImports(files, ignores, patterns) {
  return { files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default defineConfig(
  {
    ignores: [
      'dist/',
      'dist-base/',
      '.astro/',
      'node_modules/',
      'public/',
      'models/**/checkpoints/',
      'tests/fixtures/',
    ],
  },
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Dependencies point one way: only src/ml talks to onnxruntime-web, only the scheduler to ts-fsrs.
  restrictImports(
    ['src/**/*.{ts,astro}'],
    ['src/ml/**', 'src/srs/scheduler.ts'],
    [onlyMl, onlyScheduler],
  ),
  restrictImports(['src/ml/**/*.ts'], [], [onlyScheduler]),
  restrictImports(['src/srs/scheduler.ts'], [], [onlyMl]),
  // Layers import downwards only, and widgets never import each other (scripts/lint/layers.mjs).
  {
    files: ['src/**/*.{ts,mjs,astro}'],
    plugins: { residual: { rules: { layers: layersRule } } },
    rules: { 'residual/layers': 'error' },
  },
);
