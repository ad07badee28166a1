// The architecture's arrows (ARCHITECTURE.md, scripts/lint/layers.mjs), checked two ways: the
// linter rejects an import that points up a layer or across widgets, and no two folders of src/
// import each other, even through others.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/content';

const eslint = new ESLint({ cwd: ROOT });

/** The layer rule's messages for `code` as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'residual/layers')
    .map((m) => m.message);
}

describe('the linter', () => {
  it('rejects a pure layer importing one above it', async () => {
    const errors = await layerErrors(
      'src/srs/example.ts',
      "import { openDatabase } from '../storage/open';\nexport const open = openDatabase;\n",
    );
    expect(errors).toEqual([
      'src/srs may not import src/storage (see ARCHITECTURE.md: dependencies point one way)',
    ]);
  });

  it('rejects a widget importing another widget, and accepts the kit and src/ml', async () => {
    const errors = await layerErrors(
      'src/widgets/sae-lab/example.ts',
      [
        "import { continueBoth } from '../steering-vectors/steering-vectors.client';",
        "import { mulberry32 } from '../kit/random';",
        "import { HookedModel } from '../../ml';",
        'export const all = [continueBoth, mulberry32, HookedModel];',
        '',
      ].join('\n'),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^a widget never imports another widget \(widgets\/sae-lab → widgets\/steering-vectors\)/,
    );
  });

  it('rejects Astro in the storage layer and a component import from src/ml', async () => {
    expect(
      await layerErrors(
        'src/storage/example.ts',
        "export { getCollection } from 'astro:content';\n",
      ),
    ).toEqual(['src/storage knows nothing of Astro (astro:content)']);
    expect(
      await layerErrors('src/ml/example.ts', "export * from '../ui/progress/format';\n"),
    ).toEqual(['src/ml may not import src/ui (see ARCHITECTURE.md: dependencies point one way)']);
  });
});

/** Every source file under src/, repository-relative. */
function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|astro)$/.test(entry.name) ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

/** Folder → the folders its files import from (relative imports only). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of sourceFiles()) {
    const from = posix.dirname(file);
    for (const [, spec] of readFileSync(join(ROOT, file), 'utf8').matchAll(specifier)) {
      const folder = folderOf(posix.normalize(posix.join(from, spec!)));
      if (folder === from || !folder.startsWith('src')) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(folder));
    }
  }
  return graph;
}

/** '../../ml' names a folder (its index.ts); '../kit/grid' a file in src/widgets/kit. */
function folderOf(target: string): string {
  try {
    readdirSync(join(ROOT, target));
    return target;
  } catch {
    return dirname(target);
  }
}

/** A cycle in the graph as a list of folders, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('the folders of src/', () => {
  it('import each other in one direction only: no cycle, however long', () => {
    const graph = folderGraph();
    expect(graph.get('src/storage')).toContain('src/progress');
    expect(findCycle(graph)).toBeNull();
  });

  it('would show a cycle as the folders it runs through', () => {
    const graph = new Map([
      ['src/a', new Set(['src/b'])],
      ['src/b', new Set(['src/c'])],
      ['src/c', new Set(['src/a'])],
    ]);
    expect(findCycle(graph)).toEqual(['src/a', 'src/b', 'src/c', 'src/a']);
  });
});
