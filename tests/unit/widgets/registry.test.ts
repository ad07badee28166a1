// Every widget a paper names must exist in all the places its id is spelled: the registry (which
// renders its component), its folder and component, and its client module, which the shell finds
// by file name (src/widgets/<id>/<id>.client.ts). A name that disagrees in one of them would
// otherwise render nothing, or leave the frame loading; this test names the place instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WIDGETS } from '../../../src/content/vocabulary';
import { rawPaperRecords, ROOT } from '../../support/content';

const WIDGETS_DIR = join(ROOT, 'src', 'widgets');
const SHARED_FOLDERS = new Set(['kit', 'tiny-lm-experiments']);

/** The registry's entries, read from its source: widget id → the component file it imports. */
function registryEntries(): Map<string, string> {
  const source = readFileSync(join(WIDGETS_DIR, 'registry.ts'), 'utf8');
  const imports = new Map(
    [...source.matchAll(/^import (\w+) from '\.\/([^']+\.astro)';$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const table = source.slice(source.indexOf('WIDGET_COMPONENTS'));
  const entries = new Map<string, string>();
  for (const [, id, component] of table.matchAll(/^\s+'?([a-z-]+)'?: (\w+),$/gm)) {
    entries.set(id!, imports.get(component!) ?? `(no import of ${component})`);
  }
  return entries;
}

/** Widget ids the paper records list, with the record that lists each. */
function namedInPapers(): Map<string, string> {
  const named = new Map<string, string>();
  for (const { file, data } of rawPaperRecords()) {
    for (const id of (data['widgets'] as string[] | undefined) ?? []) named.set(id, file);
  }
  return named;
}

/** What is missing for widget `id`, as sentences; empty when it is complete. */
function missingParts(id: string, registry: Map<string, string>): string[] {
  const missing: string[] = [];
  if (!(id in WIDGETS)) missing.push(`${id} is not in WIDGETS (src/content/vocabulary.ts)`);
  const component = registry.get(id);
  if (!component) missing.push(`${id} has no entry in src/widgets/registry.ts`);
  else if (!component.startsWith(`${id}/`))
    missing.push(`${id}'s component ${component} is not in src/widgets/${id}/`);
  else if (!existsSync(join(WIDGETS_DIR, component)))
    missing.push(`${id}'s component src/widgets/${component} does not exist`);
  const client = join(WIDGETS_DIR, id, `${id}.client.ts`);
  if (!existsSync(client)) missing.push(`${id} has no client src/widgets/${id}/${id}.client.ts`);
  else if (!/^export (async )?function mount\(/m.test(readFileSync(client, 'utf8')))
    missing.push(`src/widgets/${id}/${id}.client.ts does not export mount()`);
  return missing;
}

describe('the widgets a paper names', () => {
  const registry = registryEntries();

  it('are read from the records and the registry (this test sees them)', () => {
    expect(namedInPapers().size).toBeGreaterThanOrEqual(10);
    expect(registry.size).toBeGreaterThanOrEqual(10);
  });

  it('each have a registry entry, a component in their folder and a client that mounts', () => {
    const problems = [...namedInPapers()].flatMap(([id, file]) =>
      missingParts(id, registry).map((problem) => `${file}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('include every registered widget and no folder the registry does not know', () => {
    const folders = readdirSync(WIDGETS_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !SHARED_FOLDERS.has(entry.name))
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual([...registry.keys()].sort());
    for (const id of registry.keys()) expect(missingParts(id, registry)).toEqual([]);
  });

  it('would report a misnamed client by its path', () => {
    // A widget id whose folder holds no <id>.client.ts is reported, with the file it expects.
    expect(missingParts('logit-lens-typo', registry)).toContain(
      'logit-lens-typo has no client src/widgets/logit-lens-typo/logit-lens-typo.client.ts',
    );
  });
});
