// @ts-check
/**
 * The layers of src/ and which may import which: the one place the architecture's arrows are
 * written down (ARCHITECTURE.md draws them). The ESLint rule `residual/layers` (eslint.config.js)
 * reports an import that points up or across, and tests/unit/site/architecture.test.ts checks
 * that no two folders import each other, even where both are allowed to.
 *
 * A file's unit is its layer, except under src/widgets/, where each widget's folder is a unit of
 * its own: a widget imports the kit, the shared tiny-lm experiments and src/ml, never another
 * widget.
 */
import path from 'node:path';

/** @typedef {{ unit: string, kind: 'layer' | 'widget' | 'data' }} Unit */

/**
 * Layer → the units its files may import besides their own. A widget's folder may import the
 * units in WIDGET_MAY_IMPORT.
 * @type {Record<string, readonly string[]>}
 */
export const MAY_IMPORT = {
  // Rules and records, with no DOM, Astro or components.
  content: ['content-data'],
  srs: ['content'],
  progress: ['content', 'srs'],
  storage: ['content', 'srs', 'progress'],
  // The model runtime: talks to onnxruntime-web and nothing else of ours.
  ml: [],
  // Notebook export: experiments written out for TransformerLens or nnsight (pure; reads hook names).
  notebook: ['ml'],
  // What every widget shares, and the tiny-lm experiments several widgets run.
  'widgets/kit': ['ml', 'notebook', 'content'],
  'widgets/tiny-lm-experiments': ['widgets/kit', 'ml'],
  // registry.ts and PaperWidgets.astro: the one place that knows every widget.
  widgets: ['widgets/*', 'widgets/kit', 'content'],
  // Pages' parts: the Starlight overrides, paper view, review, stats, progress, offline controls.
  ui: ['widgets', 'widgets/kit', 'storage', 'progress', 'srs', 'ml', 'content', 'content-data'],
  // Build-time integrations: they inject the ui's page scripts and copy the runtime's files.
  site: ['ui', 'storage', 'progress', 'srs', 'ml', 'content', 'content-data'],
  // Routes: they compose everything below them.
  pages: [
    'site',
    'ui',
    'widgets',
    'widgets/*',
    'widgets/kit',
    'notebook',
    'storage',
    'progress',
    'srs',
    'ml',
    'content',
    'content-data',
  ],
};

/** What a widget's own folder may import besides itself. */
export const WIDGET_MAY_IMPORT = ['widgets/kit', 'widgets/tiny-lm-experiments', 'ml', 'notebook'];

/** Layers that must not know Astro (no .astro components, no `astro:*` modules). */
export const ASTRO_FREE = ['srs', 'progress', 'storage', 'ml', 'notebook'];

/**
 * The unit a repository-relative path belongs to, or null outside src/ and content/.
 * @param {string} file path relative to the repository root, with forward slashes
 * @returns {Unit | null}
 */
export function unitOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'content') return { unit: 'content-data', kind: 'data' };
  if (parts[0] !== 'src' || parts.length < 2) return null;
  if (parts[1] === 'content.config.ts') return { unit: 'content', kind: 'layer' };
  if (parts[1] === 'widgets') {
    if (parts.length === 3) return { unit: 'widgets', kind: 'layer' };
    const folder = parts[2] ?? '';
    if (folder === 'kit' || folder === 'tiny-lm-experiments') {
      return { unit: `widgets/${folder}`, kind: 'layer' };
    }
    return { unit: `widgets/${folder}`, kind: 'widget' };
  }
  return { unit: parts[1] ?? '', kind: 'layer' };
}

/**
 * Why `from` may not import `to`, or null when it may.
 * @param {Unit} from
 * @param {Unit} to
 * @returns {string | null}
 */
export function forbiddenImport(from, to) {
  if (from.unit === to.unit) return null;
  if (from.kind === 'widget') {
    if (WIDGET_MAY_IMPORT.includes(to.unit)) return null;
    return to.kind === 'widget'
      ? `a widget never imports another widget (${from.unit} → ${to.unit}): move what they share into src/widgets/kit/ or src/widgets/tiny-lm-experiments/`
      : `a widget imports only the kit, the tiny-lm experiments and src/ml (${from.unit} → ${to.unit})`;
  }
  const allowed = MAY_IMPORT[from.unit];
  if (!allowed) return `src/${from.unit} is not a known layer (add it to scripts/lint/layers.mjs)`;
  if (allowed.includes(to.unit)) return null;
  if (to.kind === 'widget' && allowed.includes('widgets/*')) return null;
  return `src/${from.unit} may not import src/${to.unit} (see ARCHITECTURE.md: dependencies point one way)`;
}

/**
 * The repository-relative path an import specifier names, or null for a package.
 * @param {string} importer repository-relative path of the importing file
 * @param {string} specifier
 */
export function resolveSpecifier(importer, specifier) {
  if (!specifier.startsWith('.')) return null;
  const bare = specifier.split('?')[0] ?? specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(importer), bare));
}

/**
 * The repository-relative path of a linted file: Astro's processor names a component's scripts
 * `<file>.astro/<n>_<m>.ts`, which belong to the component.
 * @param {string} filename absolute path ESLint gives
 * @param {string} root absolute path of the repository
 */
export function lintedPath(filename, root) {
  const relative = path.relative(root, filename).split(path.sep).join('/');
  return relative.replace(/(\.astro)\/[^/]+$/, '$1');
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports point down the layers of ARCHITECTURE.md, never across widgets' },
    schema: [],
  },
  create(context) {
    const file = lintedPath(context.filename, context.cwd);
    const from = unitOf(file);
    if (!from) return {};
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (ASTRO_FREE.includes(from.unit) && (source === 'astro' || source.startsWith('astro:'))) {
        context.report({ node, message: `src/${from.unit} knows nothing of Astro (${source})` });
        return;
      }
      const target = resolveSpecifier(file, source);
      if (!target) return;
      if (ASTRO_FREE.includes(from.unit) && target.endsWith('.astro')) {
        context.report({ node, message: `src/${from.unit} imports no components (${source})` });
        return;
      }
      const to = unitOf(target);
      const reason = to && forbiddenImport(from, to);
      if (reason) context.report({ node, message: reason });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) =>
        check(node, node.source.type === 'Literal' ? node.source.value : null),
    };
  },
};
