#!/usr/bin/env node
// `npm test`: every check a change must pass, in the order that fails fastest.
// Formatting, lint, types, the site build, unit tests, then browser tests in real Chromium.
import { spawnSync } from 'node:child_process';

const steps = [
  ['format', 'npx', ['prettier', '--check', '.']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['own words', 'node', ['../shared/tools/seed-overlap.mjs', 'content', 'src']],
  ['typecheck', 'npx', ['astro', 'check', '--minimumSeverity', 'warning']],
  ['build', 'npx', ['astro', 'build']],
  // The same site published under a path (/residual/), for tests/e2e/base-path.test.ts.
  ['base build', 'npm', ['run', 'build:base']],
  ['unit tests', 'npx', ['vitest', 'run', '--project', 'unit']],
  ['browser tests', 'npx', ['vitest', 'run', '--project', 'e2e']],
];

const only = process.argv.slice(2);
const failed = [];
for (const [name, command, args] of steps) {
  if (only.length && !only.includes(name.split(' ')[0])) continue;
  const started = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.log(`✗ ${name} failed (${seconds}s)`);
    failed.push(name);
    // A failed build leaves nothing for the tests to test.
    if (name === 'build' || name === 'base build') break;
  } else {
    console.log(`✓ ${name} (${seconds}s)`);
  }
}
if (failed.length) {
  console.log(`\nnpm test: ${failed.length} step(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nnpm test: every step passed');
