#!/usr/bin/env node
// `npm run lint:cards`: lints every flashcard in content/ (src/content/card-lint.ts) and prints one
// line per problem, "file: card id [rule] message", then the counts by rule and the back lengths.
// Exits 1 when any rule is broken. `--summary` prints only the counts.
// The linter is TypeScript; esbuild bundles it (with content/order.json) into a cache file first.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../', import.meta.url));
const cacheDir = join(root, 'node_modules', '.cache', 'residual');
mkdirSync(cacheDir, { recursive: true });
const bundle = join(cacheDir, 'card-lint.mjs');
await build({
  stdin: {
    contents: `export * from './src/content/card-lint.ts';
export { CHAPTERS } from './src/content/chapters.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: bundle,
  logLevel: 'error',
});
const { CHAPTERS, countByRule, formatViolation, lintCards } = await import(
  `${pathToFileURL(bundle).href}?t=${Date.now()}`
);

const read = (path) => parse(readFileSync(join(root, path), 'utf8'));
const papers = readdirSync(join(root, 'content', 'papers'))
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ file: `content/papers/${name}`, data: read(`content/papers/${name}`) }));
const glossary = { file: 'content/glossary.yaml', data: read('content/glossary.yaml') };
const report = lintCards({ papers, glossary, chapters: CHAPTERS });

if (!process.argv.includes('--summary')) {
  for (const violation of report.violations) console.log(formatViolation(violation));
  if (report.violations.length) console.log('');
}
const counts = countByRule(report.violations);
console.log(
  `${report.cards.length} cards; back words: median ${report.medianBackWords}, max ${report.maxBackWords}`,
);
for (const [rule, count] of Object.entries(counts)) console.log(`  ${rule.padEnd(16)} ${count}`);
console.log(
  report.violations.length
    ? `✗ ${report.violations.length} problem(s)`
    : '✓ every card keeps the rules',
);
process.exit(report.violations.length ? 1 : 0);
