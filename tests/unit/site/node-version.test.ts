// The Node version a user needs is written twice, for people (README) and for npm (engines):
// they must say the same thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../../support/content';

it('the README asks for the Node version that package.json engines names', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const engines = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    }
  ).engines.node;
  const asked = /Requires Node\.js ≥ ([\d.]+)/.exec(readme)?.[1];
  expect(asked, 'README names no "Requires Node.js ≥ …"').toBeDefined();
  expect(engines).toBe(`>=${asked}`);
});
